import { DurableObjectStorage } from "../storage/storage.js";
import {
  KV_NOT_ENABLED,
  POINT_IN_TIME_RECOVERY_UNSUPPORTED,
  SNAPSHOTS_UNSUPPORTED,
  SQL_NOT_ENABLED,
  TRANSACTION_SYNC_NOT_ENABLED,
} from "./sqlite-only.js";
import type { DurableObjectSnapshot } from "../sql/snapshot-handle.js";
import type { DurableObjectRestoreOptions, DurableObjectSnapshotOptions, ObjectStorage } from "../sql/object-storage.js";
import type { SqlStorage } from "../sql/sql-storage.js";
import type { SyncKvStorage } from "../sql/sync-kv.js";

export type { ObjectStorage } from "../sql/object-storage.js";

/**
 * `ctx.storage` of a key-value-backed object: the key-value API, and the
 * SQLite-only members of ObjectStorage throwing production's errors (saying
 * how to enable SQLite). A SQLite-backed object gets SqliteDurableObjectStorage.
 */
export class KeyValueObjectStorage extends DurableObjectStorage implements ObjectStorage {
  /** SQL, on SQLite-backed objects. */
  get sql(): SqlStorage {
    throw new Error(SQL_NOT_ENABLED);
  }

  /** The synchronous key-value API, on SQLite-backed objects. */
  get kv(): SyncKvStorage {
    throw new Error(KV_NOT_ENABLED);
  }

  /** A synchronous transaction, on SQLite-backed objects. */
  transactionSync<T>(_fn: () => T): T {
    throw new Error(TRANSACTION_SYNC_NOT_ENABLED);
  }

  getCurrentBookmark(): Promise<string> {
    return Promise.reject(new Error(POINT_IN_TIME_RECOVERY_UNSUPPORTED));
  }

  getBookmarkForTime(_time: number | Date): Promise<string> {
    return Promise.reject(new Error(POINT_IN_TIME_RECOVERY_UNSUPPORTED));
  }

  onNextSessionRestoreBookmark(_bookmark: string): Promise<string> {
    return Promise.reject(new Error(POINT_IN_TIME_RECOVERY_UNSUPPORTED));
  }

  /** Snapshots are for SQLite-backed objects (sql/durable-object-storage.ts). */
  snapshot(_options?: DurableObjectSnapshotOptions | string): Promise<DurableObjectSnapshot> {
    return Promise.reject(new Error(SNAPSHOTS_UNSUPPORTED));
  }

  onNextSessionRestore(_target: DurableObjectSnapshot | string, _options?: DurableObjectRestoreOptions): Promise<string> {
    return Promise.reject(new Error(SNAPSHOTS_UNSUPPORTED));
  }
}
