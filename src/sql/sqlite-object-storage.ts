import { decodeGot, keysToRead, parseKeys, toMap, parseListOptions } from "../storage/arguments.js";
import type { ListOptions } from "../storage/host.js";
import { deserialize } from "../storage/codec.js";
import { formatBookmark, POINT_IN_TIME_RECOVERY_UNSUPPORTED } from "./bookmarks.js";
import { SqliteDatabase, type SqliteDatabaseOptions } from "./database.js";
import { dropEverything } from "./delete-all.js";
import { parseSqlitePut } from "./kv-arguments.js";
import { KvTable } from "./kv-table.js";
import { Metadata } from "./metadata.js";
import { restoreSnapshot, takeSnapshot, type Snapshot } from "./snapshots.js";
import { SqlStorage, type SqlStorageOptions } from "./sql-storage.js";
import { SyncKvStorage } from "./sync-kv.js";
import { DATABASE_DELETED, OpenCursors } from "./open-cursors.js";
import { TransactionStack, type TransactionHooks } from "./transactions.js";

export interface SqliteObjectStorageOptions extends SqliteDatabaseOptions, SqlStorageOptions, TransactionHooks {
  /**
   * Keep a copy of the database per bookmark taken, so getBookmarkForTime()
   * and onNextSessionRestoreBookmark() work within the process's life (local
   * workerd refuses both). Each getCurrentBookmark() then costs a copy.
   */
  readonly pointInTimeRecovery?: boolean;
  /** The clock bookmarks are timed by (default the realm's Date.now at each call, fake or real). */
  readonly now?: () => number;
}

interface PendingRestore {
  readonly snapshot: Snapshot;
  /** Restoring a snapshot clears the alarm; a bookmark (point-in-time recovery) keeps it. */
  readonly clearAlarm: boolean;
  /** Key-value pairs put after the restore (onNextSessionRestore's `kvData`). */
  readonly kvData?: ReturnType<typeof parseSqlitePut>;
}

export interface DeleteAllOptions {
  /** Keep the alarm (compatibility flag `delete_all_preserves_alarm`); by default it is deleted too. */
  readonly keepAlarm?: boolean;
}

/**
 * Everything one SQLite-backed object stores, in one database: `sql`, the
 * key-value API (synchronous `kv`, and get/put/delete/list in the
 * asynchronous API's argument forms, answered synchronously for the object
 * layer to wrap), transactionSync, deleteAll, the alarm, bookmarks, and the
 * hooks the object and test layers drive: the implicit transaction
 * (commit/rollback) and isolation layers (push/pop).
 */
export class SqliteObjectStorage {
  readonly db: SqliteDatabase;
  readonly transactions: TransactionStack;
  readonly sql: SqlStorage;
  readonly kv: SyncKvStorage;
  /** Cursors still stepping: deleteAll() cancels them, and an object with any is not idle. */
  readonly openCursors = new OpenCursors();
  private readonly table: KvTable;
  private readonly metadata: Metadata;
  /** Bookmarks taken, oldest first, with their copies (point-in-time recovery only). */
  private readonly snapshots: { bookmark: string; time: number; snapshot: Snapshot }[] | undefined;
  private readonly now: () => number;
  /** What the next session starts from (onNextSessionRestoreBookmark, onNextSessionRestore). */
  private pendingRestore: PendingRestore | undefined;

  constructor(options: SqliteObjectStorageOptions = {}) {
    this.db = new SqliteDatabase(options);
    this.transactions = new TransactionStack(this.db, options);
    this.sql = new SqlStorage(this.db, this.transactions, { ...options, openCursors: this.openCursors });
    this.table = new KvTable(this.db, this.transactions);
    this.metadata = new Metadata(this.db, this.transactions);
    this.kv = new SyncKvStorage(this.table, () => this.transactions.throwPendingError());
    this.snapshots = options.pointInTimeRecovery ? [] : undefined;
    // Date looked up at each call: a test's fake timers replace it after the database opens.
    this.now = options.now ?? (() => Date.now());
  }

  transactionSync<T>(fn: () => T): T {
    this.transactions.throwPendingError();
    return this.transactions.transactionSync(fn);
  }

  /** get(key) -> value | undefined; get(keys) -> Map of the keys found, in key order. */
  get(keyOrKeys: string | string[]): unknown {
    this.transactions.throwPendingError();
    const parsed = parseKeys(keyOrKeys, "get");
    const keys = keysToRead(parsed);
    return decodeGot(parsed, keys, this.table.getMany(keys), deserialize);
  }

  /** put(key, value) or put(entries). */
  put(keyOrEntries: unknown, value?: unknown): void {
    this.transactions.throwPendingError();
    const entries = parseSqlitePut(keyOrEntries, value);
    if (entries.length > 0) this.table.putMany(entries);
  }

  /** delete(key) -> whether it existed; delete(keys) -> how many existed. */
  delete(keyOrKeys: string | string[]): boolean | number {
    this.transactions.throwPendingError();
    const parsed = parseKeys(keyOrKeys, "delete");
    if (parsed.single) return this.table.delete(parsed.keys[0]);
    return this.table.deleteMany([...new Set(parsed.keys)]);
  }

  list(options?: ListOptions): Map<string, unknown> {
    this.transactions.throwPendingError();
    const query = parseListOptions(options);
    return query === null ? new Map() : toMap(this.table.list(query), deserialize);
  }

  /**
   * Deletes all SQL objects, key-value data and metadata, atomically.
   * Returns the alarm that was set before (null if none): unless kept, it is
   * gone, and the caller must cancel its timer.
   */
  deleteAll(options: DeleteAllOptions = {}): { alarm: number | null } {
    this.transactions.throwPendingError();
    if (this.transactions.transactionSyncDepth > 0) throw new Error("Cannot call deleteAll() within a transaction");
    const alarm = this.metadata.getAlarm();
    // As production deletes the database: unfinished queries are canceled (they would hold their tables).
    this.openCursors.cancelAll(DATABASE_DELETED);
    // Both in the implicit transaction: they commit together.
    dropEverything(this.db, this.transactions);
    if (options.keepAlarm && alarm !== null) this.metadata.setAlarm(alarm);
    // Bookmarks count from zero again: the old ones would name new states.
    if (this.snapshots !== undefined) this.snapshots.length = 0;
    this.pendingRestore = undefined;
    return { alarm };
  }

  getAlarm(): number | null {
    this.transactions.throwPendingError();
    return this.metadata.getAlarm();
  }

  /** Stores the alarm time (validated by the caller: storage/arguments.ts parseAlarmTime). */
  setAlarm(time: number): void {
    this.transactions.throwPendingError();
    this.metadata.setAlarm(time);
  }

  deleteAlarm(): void {
    this.transactions.throwPendingError();
    if (this.metadata.getAlarm() !== null) this.metadata.setAlarm(null);
  }

  /** Local workerd's bookmark: counts up per call, back to zeros after deleteAll(). */
  getCurrentBookmark(): string {
    this.transactions.throwPendingError();
    const bookmark = formatBookmark(this.metadata.nextBookmark());
    this.snapshots?.push({ bookmark, time: this.now(), snapshot: takeSnapshot(this.db) });
    return bookmark;
  }

  /** The latest bookmark taken at or before `time` (point-in-time recovery only). */
  getBookmarkForTime(time: number | Date): string {
    const snapshots = this.requireRecovery();
    const at = time instanceof Date ? time.getTime() : time;
    if (typeof at !== "number" || Number.isNaN(at))
      throw new TypeError("getBookmarkForTime() expects a Date or a number of milliseconds since the epoch.");
    const found = snapshots.findLast((entry) => entry.time <= at);
    if (found === undefined) {
      throw new RangeError(
        `No bookmark was taken at or before ${new Date(at).toISOString()}: durabox can go back only to bookmarks taken with getCurrentBookmark().`,
      );
    }
    return found.bookmark;
  }

  /**
   * Arranges for the next session to start from `bookmark`; returns a
   * bookmark of the present to undo it. The object layer calls
   * restorePendingBookmark() when the object starts again (after abort()).
   */
  onNextSessionRestoreBookmark(bookmark: string): string {
    const snapshots = this.requireRecovery();
    if (!snapshots.some((entry) => entry.bookmark === bookmark)) {
      throw new RangeError(
        `Unknown bookmark ${JSON.stringify(bookmark)}: durabox can restore only bookmarks taken with getCurrentBookmark() in this process.`,
      );
    }
    const undo = this.getCurrentBookmark();
    this.pendingRestore = { snapshot: this.snapshots!.find((entry) => entry.bookmark === bookmark)!.snapshot, clearAlarm: false };
    return undo;
  }

  /** A copy of the whole database now, or as of `bookmark` (one taken with getCurrentBookmark() in this process). */
  snapshot(bookmark?: string): Snapshot {
    this.transactions.throwPendingError();
    if (bookmark === undefined) return takeSnapshot(this.db);
    const found = this.snapshots?.find((entry) => entry.bookmark === bookmark);
    if (found === undefined) {
      throw new RangeError(
        `Unknown bookmark ${JSON.stringify(bookmark)}: durabox can snapshot only the present or a bookmark taken with getCurrentBookmark() in this process.`,
      );
    }
    return found.snapshot;
  }

  /**
   * Arranges for the next session to start from `snapshot` (another object's,
   * or this one's), its alarm cleared if asked, then `kvData` put; returns a
   * bookmark of the present to undo it.
   */
  onNextSessionRestore(snapshot: Snapshot, options: { kvData?: Record<string, unknown>; clearAlarm: boolean }): string {
    this.transactions.throwPendingError();
    const entries = options.kvData === undefined ? undefined : parseSqlitePut(options.kvData, undefined);
    const undo = this.getCurrentBookmark();
    this.pendingRestore = { snapshot, clearAlarm: options.clearAlarm, ...(entries !== undefined && { kvData: entries }) };
    return undo;
  }

  /** Restores what onNextSessionRestoreBookmark() or onNextSessionRestore() set, if anything; true when it did. */
  restorePendingBookmark(): boolean {
    const pending = this.pendingRestore;
    if (pending === undefined) return false;
    this.pendingRestore = undefined;
    this.transactions.transactionSync(() => {
      restoreSnapshot(this.db, this.transactions, pending.snapshot);
      // A snapshot's restore does not carry alarms over (production's rule); a bookmark's keeps the alarm.
      if (pending.clearAlarm && this.metadata.getAlarm() !== null) this.metadata.setAlarm(null);
      if (pending.kvData !== undefined && pending.kvData.length > 0) this.table.putMany(pending.kvData);
    });
    return true;
  }

  /** Replaces everything stored with a copy of `source`'s (schema, rows, key-value data), keeping this database's metadata. */
  copyFrom(source: SqliteObjectStorage): void {
    this.transactions.throwPendingError();
    restoreSnapshot(this.db, this.transactions, takeSnapshot(source.db));
  }

  private requireRecovery(): NonNullable<SqliteObjectStorage["snapshots"]> {
    this.transactions.throwPendingError();
    if (this.snapshots === undefined) throw new Error(POINT_IN_TIME_RECOVERY_UNSUPPORTED);
    return this.snapshots;
  }

  /** Whether the object holds nothing: no SQL objects of its own, no key-value data, no alarm. */
  get isEmpty(): boolean {
    this.transactions.throwPendingError();
    const own = this.db.queryOne(
      "SELECT 1 FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' LIMIT 1",
    );
    if (own !== undefined) return false;
    if (this.db.hasTable("_cf_KV") && this.db.queryOne("SELECT 1 FROM _cf_KV LIMIT 1") !== undefined) return false;
    return this.metadata.getAlarm() === null;
  }

  /** Commits the implicit transaction now (the object layer's output gate can call this). */
  commit(): void {
    this.transactions.commit();
  }

  rollback(): void {
    this.transactions.rollback();
  }

  /** Test isolation: start a layer; pop() undoes everything since, in time proportional to the changes. */
  push(): void {
    this.transactions.push();
  }

  /** Returns whether anything was written in the layer (else its alarm is as it was). */
  pop(): boolean {
    return this.transactions.pop();
  }

  /**
   * Whether the file may be closed now and opened again unnoticed: nothing is
   * open in it (no layer, implicit transaction or transactionSync, no cursor
   * stepping). The object layer adds its own conditions (an async
   * transaction in progress).
   */
  get idle(): boolean {
    const transactions = this.transactions;
    return (
      this.db.suspendable &&
      transactions.layerDepth === 0 &&
      !transactions.inImplicitTransaction &&
      transactions.transactionSyncDepth === 0 &&
      !this.openCursors.any
    );
  }

  /** Closes the file while idle (descriptors stay bounded); the next use opens it again. False when not idle. */
  suspend(): boolean {
    if (!this.idle) return false;
    this.db.suspend();
    return true;
  }

  close(): void {
    // A statement still stepping for a cursor would keep the connection busy (better-sqlite3 refuses to close it).
    this.openCursors.cancelAll(DATABASE_CLOSED);
    this.db.close();
  }
}

const DATABASE_CLOSED = "The SQLite database is closed.";
