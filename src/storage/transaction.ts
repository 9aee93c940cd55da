import { andThen, type Awaitable } from "../base/awaitable.js";
import { deserialize } from "./codec.js";
import type { KeyRange } from "./keys.js";
import { checkTransactionSize } from "./limits.js";
import { changesInRange, mergeListed, widenedQuery, type Change } from "./merge.js";
import { SortedKeyMap } from "./sorted-map.js";
import { parseAlarmTime, parseKeys, parseListOptions, parsePut, decodeGot, keysToRead, toMap } from "./arguments.js";
import type { CommitResult, ListQuery, ObjectStore, ReadVersion, StoredEntry } from "./backend.js";
import type { ReadOptions, StorageHost, StorageListOptions, WriteOptions } from "./host.js";

type TransactionState = "open" | "rolledBack" | "committed";

/**
 * The `txn` handed to storage.transaction(closure). Writes stay here until
 * the closure returns; reads see them first, then the store, and record what
 * was read (keys, and the exact range each list scanned) for validation.
 */
export class DurableObjectTransaction {
  readonly #store: ObjectStore;
  readonly #host: StorageHost;
  readonly #since: ReadVersion;
  readonly #writes = new SortedKeyMap<Change>();
  readonly #readKeys = new Set<string>();
  readonly #readRanges: KeyRange[] = [];
  #alarm: number | null | undefined = undefined;
  #state: TransactionState = "open";

  /** @internal */
  constructor(store: ObjectStore, host: StorageHost, since: ReadVersion) {
    this.#store = store;
    this.#host = host;
    this.#since = since;
  }

  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get<T = unknown>(keys: string[], options?: ReadOptions): Promise<Map<string, T>>;
  get(key: string | string[], options?: ReadOptions): Promise<unknown> {
    return this.#attempt("get", () => {
      const parsed = parseKeys(key, "get");
      const keys = keysToRead(parsed);
      const got = andThen(this.#read(keys), (values) => decodeGot(parsed, keys, values, deserialize));
      return this.#host.read(got, options);
    });
  }

  put<T>(key: string, value: T, options?: WriteOptions): Promise<void>;
  put<T>(entries: Record<string, T>, options?: WriteOptions): Promise<void>;
  put(keyOrEntries: unknown, value?: unknown): Promise<void> {
    return this.#attempt("put", () => {
      for (const [key, bytes] of parsePut(keyOrEntries, value)) this.#writes.set(key, bytes);
      return undefined;
    });
  }

  delete(key: string, options?: WriteOptions): Promise<boolean>;
  delete(keys: string[], options?: WriteOptions): Promise<number>;
  delete(key: string | string[]): Promise<boolean | number> {
    return this.#attempt("delete", () => {
      const parsed = parseKeys(key, "delete");
      const keys = parsed.single ? parsed.keys : [...new Set(parsed.keys)];
      return andThen(this.#read(keys), (found) => {
        for (const k of keys) this.#writes.set(k, null);
        const existed = found.filter((bytes) => bytes !== undefined).length;
        return parsed.single ? existed === 1 : existed;
      });
    });
  }

  list<T = unknown>(options?: StorageListOptions): Promise<Map<string, T>> {
    return this.#attempt("list", () => {
      const query = parseListOptions(options);
      if (query === null) return new Map();
      const changes = changesInRange([this.#writes], query);
      const below = this.#store.list(widenedQuery(query, changes.size));
      return this.#host.read(
        andThen(below, (entries) => {
          const listed = mergeListed(entries, changes, query);
          this.#readRanges.push(scannedRange(query, listed));
          return toMap(listed, deserialize) as Map<string, T>;
        }),
        options,
      );
    });
  }

  rollback(): void {
    // Production ignores a second rollback() (workerd: "allow multiple calls to rollback()").
    if (this.#state === "rolledBack") return;
    this.#check("rollback");
    this.#state = "rolledBack";
  }

  getAlarm(options?: ReadOptions): Promise<number | null> {
    return this.#attempt("getAlarm", () =>
      this.#alarm !== undefined
        ? this.#alarm
        : this.#host.read(
            andThen(this.#store.getAlarm(), (time) => this.#host.visibleAlarm(time)),
            options,
          ),
    );
  }

  setAlarm(scheduledTime: number | Date): Promise<void> {
    return this.#attempt("setAlarm", () => {
      const time = parseAlarmTime(scheduledTime);
      return andThen(this.#host.checkAlarmHandler(), () => {
        this.#alarm = time;
      });
    });
  }

  deleteAlarm(): Promise<void> {
    return this.#attempt("deleteAlarm", () => {
      this.#alarm = null;
      return undefined;
    });
  }

  deleteAll(): Promise<void> {
    return Promise.reject(new Error("Cannot call deleteAll() within a transaction"));
  }

  /** @internal Whether the closure asked to roll back. */
  get rolledBack(): boolean {
    return this.#state === "rolledBack";
  }

  /** @internal The alarm this transaction set (number), deleted (null) or left (undefined). */
  get alarm(): number | null | undefined {
    return this.#alarm;
  }

  /** @internal Ends the closure's use of `txn`; commits unless rolled back. */
  commit(): Awaitable<CommitResult> {
    const wasRolledBack = this.#state === "rolledBack";
    this.#state = wasRolledBack ? "rolledBack" : "committed";
    if (wasRolledBack) return { ok: true, deleted: 0 };
    const puts: StoredEntry[] = [];
    const deletes: string[] = [];
    for (const [key, change] of this.#writes.scan({})) {
      if (change === null) deletes.push(key);
      else puts.push([key, change]);
    }
    checkTransactionSize(puts.length + deletes.length);
    const readNothing = this.#readKeys.size === 0 && this.#readRanges.length === 0;
    if (puts.length === 0 && deletes.length === 0 && this.#alarm === undefined && readNothing) {
      return { ok: true, deleted: 0 };
    }
    // A read-only transaction still validates: its reads must have been consistent.
    return this.#store.commit({
      puts,
      deletes,
      ...(this.#alarm !== undefined && { alarm: this.#alarm }),
      readSet: { since: this.#since, keys: [...this.#readKeys], ranges: this.#readRanges },
    });
  }

  /** @internal Marks the transaction finished without committing (its closure threw). */
  abandon(): void {
    this.#state = "rolledBack";
  }

  #read(keys: readonly string[]): Awaitable<(Uint8Array | undefined)[]> {
    const values: (Uint8Array | undefined)[] = new Array(keys.length);
    const fromStore: number[] = [];
    keys.forEach((key, i) => {
      const change = this.#writes.get(key);
      if (change === undefined) fromStore.push(i);
      else values[i] = change ?? undefined;
    });
    if (fromStore.length === 0) return values;
    const storeKeys = fromStore.map((i) => keys[i]!);
    for (const key of storeKeys) this.#readKeys.add(key);
    return andThen(this.#store.get(storeKeys), (found) => {
      fromStore.forEach((index, j) => (values[index] = found[j]));
      return values;
    });
  }

  #check(op: string): void {
    if (this.#state === "rolledBack") throw new Error(`Cannot ${op}() on rolled back transaction`);
    if (this.#state === "committed") {
      throw new Error(`Cannot call ${op}() on transaction that has already committed: did you move \`txn\` outside of the closure?`);
    }
  }

  #attempt<T>(op: string, fn: () => Awaitable<T>): Promise<T> {
    try {
      this.#check(op);
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The part of the key space a list() call actually depended on: all of the
 * query's range, or, when it stopped at its limit, only up to the last key it
 * returned (a key inserted beyond that would not have changed the answer).
 */
function scannedRange(query: ListQuery, listed: readonly StoredEntry[]): KeyRange {
  const last = listed[listed.length - 1];
  if (query.limit === undefined || listed.length < query.limit || last === undefined) {
    return { ...(query.start !== undefined && { start: query.start }), ...(query.end !== undefined && { end: query.end }) };
  }
  if (query.reverse) {
    return { start: last[0], ...(query.end !== undefined && { end: query.end }) };
  }
  return { ...(query.start !== undefined && { start: query.start }), end: `${last[0]}\u0000` };
}
