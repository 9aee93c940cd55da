import { DurableObjectStorage } from "../storage/storage.js";
import {
  KV_NOT_ENABLED,
  POINT_IN_TIME_RECOVERY_UNSUPPORTED,
  SNAPSHOTS_UNSUPPORTED,
  SQL_NOT_ENABLED,
  TRANSACTION_SYNC_NOT_ENABLED,
} from "./sqlite-only.js";
import type { DurableObjectSnapshot } from "../sql/snapshot-handle.js";
import type { DurableObjectRestoreOptions, DurableObjectSnapshotOptions } from "../sql/durable-object-storage.js";
import type { SqlStorage } from "../sql/sql-storage.js";
import type { SyncKvStorage } from "../sql/sync-kv.js";

/**
 * `ctx.storage` as user code sees it, one type for both kinds of object (as
 * workers-types has it): the key-value API plus `sql`, `kv`,
 * `transactionSync` and bookmarks. A key-value-backed object gets this class,
 * whose SQLite-only members throw production's errors (saying how to enable
 * SQLite); a SQLite-backed one gets SqliteDurableObjectStorage, of this shape.
 */
export class ObjectStorage extends DurableObjectStorage {
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
