import type { DurableObjectStorage } from "../storage/storage.js";
import type { DurableObjectTransaction } from "../storage/transaction.js";
import type { DurableObjectSnapshot } from "./snapshot-handle.js";
import type { SqlStorage } from "./sql-storage.js";
import type { SyncKvStorage } from "./sync-kv.js";

/**
 * `ctx.storage` as user code sees it, one type for both kinds of object (as
 * workers-types has it): the key-value API plus `sql`, `kv`,
 * `transactionSync` and bookmarks. Both storage classes implement it: a
 * key-value-backed object's (objects/object-storage.ts), whose SQLite-only
 * members throw production's errors, and SqliteDurableObjectStorage.
 */
/** The `txn` of `transaction()`: on SQLite the storage itself plus rollback(), on key-value storage a transaction of its own (deleteAll() is refused in both). */
export type ObjectTransaction = Pick<
  DurableObjectTransaction,
  "get" | "put" | "delete" | "list" | "deleteAll" | "getAlarm" | "setAlarm" | "deleteAlarm" | "rollback"
>;

export interface ObjectStorage extends Pick<
  DurableObjectStorage,
  "get" | "put" | "delete" | "list" | "deleteAll" | "getAlarm" | "setAlarm" | "deleteAlarm" | "sync"
> {
  transaction<T>(closure: (txn: ObjectTransaction) => Promise<T>): Promise<T>;
  /** SQL, on SQLite-backed objects. */
  readonly sql: SqlStorage;
  /** The synchronous key-value API, on SQLite-backed objects. */
  readonly kv: SyncKvStorage;
  /** A synchronous transaction, on SQLite-backed objects. */
  transactionSync<T>(fn: () => T): T;
  getCurrentBookmark(): Promise<string>;
  getBookmarkForTime(time: number | Date): Promise<string>;
  onNextSessionRestoreBookmark(bookmark: string): Promise<string>;
  snapshot(options?: DurableObjectSnapshotOptions | string): Promise<DurableObjectSnapshot>;
  onNextSessionRestore(target: DurableObjectSnapshot | string, options?: DurableObjectRestoreOptions): Promise<string>;
}

export interface DurableObjectSnapshotOptions {
  bookmark?: string;
}

export interface DurableObjectRestoreOptions {
  /** Key-value pairs put into the restored database before the next session sees it. */
  kvData?: Record<string, unknown>;
}
