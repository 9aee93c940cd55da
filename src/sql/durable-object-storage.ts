import { andThen, attempt } from "../base/awaitable.js";
import { parseAlarmTime } from "../storage/arguments.js";
import type { ReadOptions, StorageHost, StorageListOptions, WriteOptions } from "../storage/host.js";
import type { DurableObjectRestoreOptions, DurableObjectSnapshotOptions, ObjectStorage } from "./object-storage.js";
import type { SqliteObjectStorage } from "./sqlite-object-storage.js";
import type { SqlStorage } from "./sql-storage.js";
import type { SyncKvStorage } from "./sync-kv.js";
import { makeSnapshotHandle, snapshotContents, type DurableObjectSnapshot } from "./snapshot-handle.js";
import { className, typeNameWithArticle } from "../base/describe.js";

/** What the object layer tells a SQLite object's storage about its object. */
export interface SqliteStorageOptions {
  /** A facet's storage: snapshots are refused there, as in production. */
  readonly inFacet?: boolean;
  /** Lets a snapshot pass over RPC as itself (the object layer marks it as a handle). */
  readonly transferable?: (value: object) => void;
}

export type { DurableObjectRestoreOptions, DurableObjectSnapshotOptions } from "./object-storage.js";

/** What an async transaction on a SQLite object needs of its owner: holding the implicit transaction open. */
export interface CommitControl {
  /** While held, the implicit transaction is not committed at the end of a synchronous run. */
  hold(): void;
  release(): void;
}

/** The `txn` of storage.transaction() on a SQLite object: the storage itself, plus rollback(). */
export interface SqliteTransaction {
  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get<T = unknown>(keys: string[], options?: ReadOptions): Promise<Map<string, T>>;
  put<T>(key: string, value: T, options?: WriteOptions): Promise<void>;
  put<T>(entries: Record<string, T>, options?: WriteOptions): Promise<void>;
  delete(key: string, options?: WriteOptions): Promise<boolean>;
  delete(keys: string[], options?: WriteOptions): Promise<number>;
  list<T = unknown>(options?: StorageListOptions): Promise<Map<string, T>>;
  /** Refused: "Cannot call deleteAll() within a transaction". */
  deleteAll(options?: WriteOptions): Promise<void>;
  getAlarm(options?: ReadOptions): Promise<number | null>;
  setAlarm(scheduledTime: number | Date, options?: WriteOptions): Promise<void>;
  deleteAlarm(options?: WriteOptions): Promise<void>;
  rollback(): void;
}

/**
 * `ctx.storage` of a SQLite-backed object: the asynchronous key-value API,
 * `sql`, `kv`, `transactionSync`, alarms and bookmarks, all over the object's
 * one database. Reads answer from the database at once (there is no I/O to
 * wait for); writes join the implicit transaction, which commits when the
 * synchronous run ends, so writes with no `await` between them commit
 * together, and the object's output gate holds its results until then.
 */
export class SqliteDurableObjectStorage implements ObjectStorage {
  readonly #sqlite: SqliteObjectStorage;
  readonly #host: StorageHost;
  readonly #commits: CommitControl;
  readonly #options: SqliteStorageOptions;
  /** transaction() closures running (other events wait meanwhile, so only theirs can call deleteAll()). */
  #inTransaction = 0;

  /** @internal Storage is made by the runtime, one per object. */
  constructor(sqlite: SqliteObjectStorage, host: StorageHost, commits: CommitControl, options: SqliteStorageOptions = {}) {
    this.#sqlite = sqlite;
    this.#host = host;
    this.#commits = commits;
    this.#options = options;
  }

  get sql(): SqlStorage {
    return this.#sqlite.sql;
  }

  get kv(): SyncKvStorage {
    return this.#sqlite.kv;
  }

  get<T = unknown>(key: string, options?: ReadOptions): Promise<T | undefined>;
  get<T = unknown>(keys: string[], options?: ReadOptions): Promise<Map<string, T>>;
  get(key: string | string[]): Promise<unknown> {
    return attempt(() => this.#sqlite.get(key));
  }

  put<T>(key: string, value: T, options?: WriteOptions): Promise<void>;
  put<T>(entries: Record<string, T>, options?: WriteOptions): Promise<void>;
  put(keyOrEntries: unknown, value?: unknown): Promise<void> {
    // parsePut reads `value` only in the put(key, value) form.
    return attempt(() => this.#sqlite.put(keyOrEntries, value));
  }

  delete(key: string, options?: WriteOptions): Promise<boolean>;
  delete(keys: string[], options?: WriteOptions): Promise<number>;
  delete(key: string | string[]): Promise<boolean | number> {
    return attempt(() => this.#sqlite.delete(key));
  }

  list<T = unknown>(options?: StorageListOptions): Promise<Map<string, T>> {
    return attempt(() => this.#sqlite.list(options) as Map<string, T>);
  }

  /** Deletes SQL tables, key-value data and the alarm, atomically. */
  deleteAll(_options?: WriteOptions): Promise<void> {
    return attempt(() => {
      // Production refuses it in transaction() (api/actor-state.c++), as in transactionSync().
      if (this.#inTransaction > 0) throw new Error("Cannot call deleteAll() within a transaction");
      const { alarm } = this.#sqlite.deleteAll();
      if (alarm !== null) this.#host.alarmChanged(null);
      this.#host.deletedAll?.();
    });
  }

  getAlarm(_options?: ReadOptions): Promise<number | null> {
    return attempt(() => this.#host.visibleAlarm(this.#sqlite.getAlarm()));
  }

  setAlarm(scheduledTime: number | Date, _options?: WriteOptions): Promise<void> {
    return attempt(() => {
      const time = parseAlarmTime(scheduledTime);
      return andThen(this.#host.checkAlarmHandler(), () => {
        this.#sqlite.setAlarm(time);
        this.#host.alarmChanged(time);
      });
    });
  }

  deleteAlarm(_options?: WriteOptions): Promise<void> {
    return attempt(() => {
      this.#sqlite.deleteAlarm();
      this.#host.alarmChanged(null);
    });
  }

  /** Resolves once every write so far is committed. */
  sync(): Promise<void> {
    return attempt(() => {
      this.#sqlite.commit();
      return this.#host.sync();
    });
  }

  /** Runs `fn` in a savepoint: what it writes commits with the enclosing transaction, or not at all if it throws. Nests. */
  transactionSync<T>(fn: () => T): T {
    return this.#sqlite.transactionSync(fn);
  }

  /**
   * On a SQLite object `txn` is the storage itself (and `sql` joins in too):
   * everything the closure writes, across its awaits, commits together, or
   * not at all if it throws or calls `txn.rollback()`. No other event reaches
   * the object meanwhile.
   */
  async transaction<T>(closure: (txn: SqliteTransaction) => Promise<T>): Promise<T> {
    if (typeof closure !== "function") {
      throw new TypeError("transaction() expects a function: storage.transaction(async (txn) => { ... })");
    }
    if (this.#sqlite.transactions.transactionSyncDepth > 0) {
      throw new Error("Cannot call transaction() inside transactionSync(); use transactionSync() to nest.");
    }
    // Writes made before the transaction are not part of it.
    this.#sqlite.commit();
    let rolledBack = false;
    const txn = {
      get: this.get.bind(this),
      put: this.put.bind(this),
      delete: this.delete.bind(this),
      list: this.list.bind(this),
      deleteAll: this.deleteAll.bind(this),
      getAlarm: this.getAlarm.bind(this),
      setAlarm: this.setAlarm.bind(this),
      deleteAlarm: this.deleteAlarm.bind(this),
      rollback: (): void => {
        rolledBack = true;
        this.#sqlite.rollback();
      },
    } as SqliteTransaction;
    this.#commits.hold();
    this.#inTransaction++;
    const run = (async (): Promise<T> => {
      try {
        const result = await closure(txn);
        if (rolledBack) this.#sqlite.rollback();
        else this.#sqlite.commit();
        return result;
      } catch (error) {
        this.#sqlite.rollback();
        throw error;
      } finally {
        this.#inTransaction--;
        this.#commits.release();
      }
    })();
    // Holds other events back until the transaction ends, as its writes are not yet committed.
    return this.#host.read(run);
  }

  getCurrentBookmark(): Promise<string> {
    return attempt(() => this.#sqlite.getCurrentBookmark());
  }

  getBookmarkForTime(time: number | Date): Promise<string> {
    return attempt(() => this.#sqlite.getBookmarkForTime(time));
  }

  /** The next session of the object (after `ctx.abort()`) starts from `bookmark`; resolves with a bookmark that undoes it. */
  onNextSessionRestoreBookmark(bookmark: string): Promise<string> {
    return attempt(() => this.#sqlite.onNextSessionRestoreBookmark(bookmark));
  }

  /**
   * A copy of the whole database (SQL and key-value data), now or as of a
   * bookmark, for another object's onNextSessionRestore(). Opaque; it passes
   * over RPC. Takes `{ bookmark }` (workers-types) or the bookmark itself (the docs).
   */
  snapshot(options?: DurableObjectSnapshotOptions | string): Promise<DurableObjectSnapshot> {
    return attempt(() => {
      this.#refuseInFacet("snapshot");
      const bookmark = typeof options === "string" ? options : snapshotBookmark(options);
      const handle = makeSnapshotHandle(this.#sqlite.snapshot(bookmark));
      this.#options.transferable?.(handle);
      return handle;
    });
  }

  /**
   * The next session of the object (after `ctx.abort()`) starts from
   * `target`: a snapshot (its whole database replaces this one's; the alarm
   * is not carried over) or one of this object's bookmarks. `kvData` is put
   * after the restore. Resolves with a bookmark that undoes it.
   */
  onNextSessionRestore(target: DurableObjectSnapshot | string, options?: DurableObjectRestoreOptions): Promise<string> {
    return attempt(() => {
      this.#refuseInFacet("onNextSessionRestore");
      const kvData = restoreKvData(options);
      if (typeof target === "string") {
        return this.#sqlite.onNextSessionRestore(this.#sqlite.snapshot(target), { ...kvData, clearAlarm: false });
      }
      const snapshot = snapshotContents(target);
      if (snapshot === undefined) {
        throw new TypeError(
          `onNextSessionRestore() expects a DurableObjectSnapshot from ctx.storage.snapshot() (passed over RPC as it is, not stored) or a bookmark string, but got ${className(target)}.`,
        );
      }
      return this.#sqlite.onNextSessionRestore(snapshot, { ...kvData, clearAlarm: true });
    });
  }

  #refuseInFacet(method: string): void {
    if (this.#options.inFacet) throw new Error(`storage.${method}() is not available in a facet.`);
  }

  /** Local workerd resolves at once: there are no replicas to wait for. */
  waitForBookmark(_bookmark: string): Promise<void> {
    return Promise.resolve();
  }
}

function snapshotBookmark(options: DurableObjectSnapshotOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`snapshot() expects { bookmark?: string } or a bookmark string, but got ${typeNameWithArticle(options)}.`);
  }
  const { bookmark } = options;
  if (bookmark !== undefined && typeof bookmark !== "string") {
    throw new TypeError(
      `snapshot()'s bookmark must be a string (from getCurrentBookmark() or getBookmarkForTime()), but got ${typeNameWithArticle(bookmark)}.`,
    );
  }
  return bookmark;
}

function restoreKvData(options: DurableObjectRestoreOptions | undefined): { kvData?: Record<string, unknown> } {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`onNextSessionRestore() options must be { kvData?: object }, but they were ${typeNameWithArticle(options)}.`);
  }
  const { kvData } = options;
  if (kvData === undefined) return {};
  if (typeof kvData !== "object" || kvData === null || Array.isArray(kvData)) {
    throw new TypeError(`onNextSessionRestore()'s kvData must be an object of keys and values, but got ${typeNameWithArticle(kvData)}.`);
  }
  return { kvData };
}
