import { realDelay } from "../base/clock.js";
import { andThen, attempt, type Awaitable } from "../base/awaitable.js";
import { deserialize } from "./codec.js";
import { DuraboxError } from "../base/errors.js";
import { DurableObjectTransaction } from "./transaction.js";
import type { ReadOptions, StorageHost, StorageListOptions, WriteOptions } from "./host.js";
import type { TransactionLane } from "./transaction-lane.js";
import { parseAlarmTime, parseKeys, parseListOptions, parsePut, decodeGot, keysToRead, toMap } from "./arguments.js";
import type { CommitResult, ObjectStore } from "./backend.js";

/** Bounded: a transaction still conflicting after this many attempts fails clearly. */
export const MAX_TRANSACTION_ATTEMPTS = 16;

/**
 * Before a retry: nothing for the first (the lane already serialises this
 * process's transactions), then a random wait growing to 50 ms, so
 * transactions of other processes sharing the store stop colliding.
 */
function backoff(attempt: number): Promise<void> | undefined {
  if (attempt <= 2) return undefined;
  const ms = Math.random() * Math.min(2 ** (attempt - 2), 50);
  return realDelay(ms);
}

/**
 * The DurableObjectStorage API (state.storage). Validation, serialisation and
 * gating happen here; the bytes live in the object's store. Every call reaches the
 * store synchronously, in call order, so a get() after an un-awaited put()
 * sees the put, as in production.
 */
export class DurableObjectStorage {
  readonly #store: ObjectStore;
  readonly #host: StorageHost;
  readonly #lane: TransactionLane;

  /** @internal Storage is made by the runtime, one per object. */
  constructor(store: ObjectStore, host: StorageHost, lane: TransactionLane) {
    this.#store = store;
    this.#host = host;
    this.#lane = lane;
  }

  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get<T = unknown>(keys: string[], options?: ReadOptions): Promise<Map<string, T>>;
  get(key: string | string[], options?: ReadOptions): Promise<unknown> {
    return attempt(() => {
      const parsed = parseKeys(key, "get");
      const keys = keysToRead(parsed);
      const got = andThen(this.#store.get(keys), (values) => decodeGot(parsed, keys, values, deserialize));
      return this.#host.read(got, options);
    });
  }

  put<T>(key: string, value: T, options?: WriteOptions): Promise<void>;
  put<T>(entries: Record<string, T>, options?: WriteOptions): Promise<void>;
  put(keyOrEntries: unknown, valueOrOptions?: unknown, maybeOptions?: WriteOptions): Promise<void> {
    return attempt(() => {
      const entriesForm = typeof keyOrEntries === "object" && keyOrEntries !== null && !Array.isArray(keyOrEntries);
      const puts = parsePut(keyOrEntries, entriesForm ? undefined : valueOrOptions);
      const options = (entriesForm ? valueOrOptions : maybeOptions) as WriteOptions | undefined;
      if (puts.length === 0) return undefined;
      const done = andThen(this.#store.commit({ puts }), (outcome) => {
        succeeded(outcome);
      });
      return this.#host.write(done, options);
    });
  }

  delete(key: string, options?: WriteOptions): Promise<boolean>;
  delete(keys: string[], options?: WriteOptions): Promise<number>;
  delete(key: string | string[], options?: WriteOptions): Promise<boolean | number> {
    return attempt(() => {
      const parsed = parseKeys(key, "delete");
      const deletes = parsed.single ? parsed.keys : [...new Set(parsed.keys)];
      const result = andThen(this.#store.commit({ deletes }), (outcome) => {
        const { deleted } = succeeded(outcome);
        return parsed.single ? deleted === 1 : deleted;
      });
      return this.#host.writeWithResult(result, options);
    });
  }

  list<T = unknown>(options?: StorageListOptions): Promise<Map<string, T>> {
    return attempt(() => {
      const query = parseListOptions(options);
      if (query === null) return new Map<string, T>();
      const listed = andThen(this.#store.list(query), (entries) => toMap(entries, deserialize) as Map<string, T>);
      return this.#host.read(listed, options);
    });
  }

  deleteAll(options?: WriteOptions): Promise<void> {
    return attempt(() => {
      const done = andThen(this.#store.commit({ deleteAll: true }), (outcome) => {
        succeeded(outcome);
        this.#host.alarmChanged(null);
        this.#host.deletedAll?.();
      });
      return this.#host.write(done, options);
    });
  }

  getAlarm(options?: ReadOptions): Promise<number | null> {
    return attempt(() =>
      this.#host.read(
        andThen(this.#store.getAlarm(), (time) => this.#host.visibleAlarm(time)),
        options,
      ),
    );
  }

  setAlarm(scheduledTime: number | Date, options?: WriteOptions): Promise<void> {
    return attempt(() => {
      const time = parseAlarmTime(scheduledTime);
      return andThen(this.#host.checkAlarmHandler(), () => this.#host.write(this.#commitAlarm(time), options));
    });
  }

  deleteAlarm(options?: WriteOptions): Promise<void> {
    return attempt(() => this.#host.write(this.#commitAlarm(null), options));
  }

  sync(): Promise<void> {
    return this.#host.sync();
  }

  /**
   * Runs `closure` as one optimistic transaction: its writes commit together,
   * and only if nothing it read (keys, and the ranges it listed) changed in
   * the meantime; otherwise it runs again, up to MAX_TRANSACTION_ATTEMPTS.
   * Throwing from the closure (or txn.rollback()) commits nothing.
   */
  async transaction<T>(closure: (txn: DurableObjectTransaction) => Promise<T>): Promise<T> {
    if (typeof closure !== "function") {
      throw new TypeError("transaction() expects a function: storage.transaction(async (txn) => { ... })");
    }
    if (this.#lane.busy) await this.#lane.idle();
    const first = await this.#attemptTransaction(closure);
    if (first.committed) return first.result;
    return this.#lane.run(async () => {
      for (let attemptNumber = 2; attemptNumber <= MAX_TRANSACTION_ATTEMPTS; attemptNumber++) {
        await backoff(attemptNumber);
        const next = await this.#attemptTransaction(closure);
        if (next.committed) return next.result;
      }
      throw new DuraboxError(
        "ERR_TRANSACTION_CONTENTION",
        `Transaction failed: what it read kept changing underneath it, ${MAX_TRANSACTION_ATTEMPTS} attempts in a row. ` +
          "Writes from outside the transaction to the keys it reads are racing it; do those writes inside transactions too, or read fewer keys.",
      );
    });
  }

  async #attemptTransaction<T>(
    closure: (txn: DurableObjectTransaction) => Promise<T>,
  ): Promise<{ committed: true; result: T } | { committed: false }> {
    const since = await this.#store.readVersion();
    const txn = new DurableObjectTransaction(this.#store, this.#host, since);
    let result: T;
    try {
      result = await closure(txn);
    } catch (error) {
      txn.abandon();
      throw error;
    }
    const alarm = txn.alarm;
    const outcome = await this.#host.writeWithResult(txn.commit());
    if (!outcome.ok) return { committed: false };
    if (!txn.rolledBack && alarm !== undefined) this.#host.alarmChanged(alarm);
    return { committed: true, result };
  }

  #commitAlarm(time: number | null): Awaitable<void> {
    return andThen(this.#store.commit({ alarm: time }), (outcome) => {
      succeeded(outcome);
      this.#host.alarmChanged(time);
    });
  }
}

/** A commit without a read set cannot conflict. */
function succeeded(outcome: CommitResult): { deleted: number } {
  if (!outcome.ok) throw new Error("durabox: an unconditional commit reported a conflict");
  return outcome;
}
