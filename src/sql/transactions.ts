import { internal } from "../base/internal.js";
import { realQueueMicrotask } from "../base/clock.js";
import type { SqliteDatabase } from "./database.js";

/**
 * The savepoints of one database, outermost first:
 *
 *   _dbx_layer_0 … _dbx_layer_n   test isolation layers (push/pop), kept open across awaits
 *   _dbx_implicit                 the implicit transaction of one synchronous run
 *   _cf_sync_savepoint_0 …        transactionSync() nesting, as production names them
 *
 * Writes with no await between them commit together: the first write of a
 * synchronous run opens the implicit transaction and schedules its commit
 * (by default at the next microtask; the object layer ties it to its output
 * gate instead). With no layer open, committing the implicit transaction
 * commits to the file; under a layer it folds into the layer, and popping
 * the layer undoes everything since its push (schema included) at a cost
 * proportional to the changes made, not to the data stored. Savepoint
 * statements are prepared once (the database's trusted statements): a write
 * per synchronous run opens and releases one, and parsing them each time
 * cost as much as the write.
 */
export interface TransactionHooks {
  /** Arranges for `commit` to run when the current synchronous run ends. */
  scheduleCommit?(commit: () => void): void;
  /** A scheduled commit failed; its writes were rolled back. */
  onCommitError?(error: Error): void;
  /**
   * What a commit that failed for want of storage (a full disk, an I/O error:
   * anything but a constraint) throws: the owner names its file and object.
   * `code` is SQLite's primary result code (SQLITE_FULL, ...).
   */
  storageFailure?(error: Error, code: string): Error;
}

const IMPLICIT = "_dbx_implicit";
// Built once: the statement cache is keyed by the text.
const OPEN_IMPLICIT = `SAVEPOINT ${IMPLICIT}`;
const COMMIT_IMPLICIT = `RELEASE ${IMPLICIT}`;
const layerName = (depth: number): string => `_dbx_layer_${depth}`;
const syncName = (depth: number): string => `_cf_sync_savepoint_${depth}`;

const CONSTRAINT_COMMIT_MESSAGE =
  "Durable Object was reset and rolled back to its last known good state because the application left the " +
  "database in a state where constraints were violated: ";

export class TransactionStack {
  private layers = 0;
  /** Writes begun (beforeWrite calls) so far, and that count at each layer's push: a pop tells whether its layer wrote. */
  private writes = 0;
  private readonly writesAtLayer: number[] = [];
  private implicitOpen = false;
  /** Identifies the implicit transaction a scheduled commit belongs to. */
  private implicitGeneration = 0;
  private syncDepth = 0;
  private readonly scheduleCommit: (commit: () => void) => void;
  private readonly onCommitError: (error: Error) => void;
  private readonly storageFailure: ((error: Error, code: string) => Error) | undefined;
  /** A scheduled commit's failure, thrown by the next storage call (when no hook takes it). */
  private pendingError: Error | undefined;
  /** Called after every commit of the implicit transaction. */
  onCommitted: (() => void) | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    hooks: TransactionHooks = {},
  ) {
    this.scheduleCommit = hooks.scheduleCommit ?? realQueueMicrotask;
    this.storageFailure = hooks.storageFailure;
    this.onCommitError =
      hooks.onCommitError ??
      ((error) => {
        this.pendingError = error;
      });
  }

  get layerDepth(): number {
    return this.layers;
  }

  get inImplicitTransaction(): boolean {
    return this.implicitOpen;
  }

  get transactionSyncDepth(): number {
    return this.syncDepth;
  }

  /** Makes the next storage call throw `error` (a scheduled commit's failure nobody else could be told of). */
  failNextCall(error: Error): void {
    this.pendingError = error;
  }

  /** Throws the failure of an earlier scheduled commit, once. */
  throwPendingError(): void {
    const error = this.pendingError;
    if (error !== undefined) {
      this.pendingError = undefined;
      throw error;
    }
  }

  /** Opens the implicit transaction before the first write of a synchronous run. */
  beforeWrite(): void {
    this.writes++;
    if (this.implicitOpen) return;
    this.db.run(OPEN_IMPLICIT);
    this.implicitOpen = true;
    const generation = ++this.implicitGeneration;
    this.scheduleCommit(() => {
      if (this.implicitOpen && this.implicitGeneration === generation) {
        try {
          this.commit();
        } catch (error) {
          this.onCommitError(error as Error);
        }
      }
    });
  }

  /** Commits the implicit transaction now; on failure it is rolled back and the error thrown. */
  commit(): void {
    if (!this.implicitOpen) return;
    if (this.syncDepth > 0) throw internal("the implicit transaction cannot commit inside transactionSync()");
    try {
      if (this.layers > 0) this.checkDeferredForeignKeys();
      this.db.run(COMMIT_IMPLICIT);
    } catch (error) {
      this.rollback();
      throw commitError(this.db, error, this.storageFailure);
    }
    this.implicitOpen = false;
    this.onCommitted?.();
  }

  /** Rolls the implicit transaction back now. */
  rollback(): void {
    if (!this.implicitOpen) return;
    this.rollbackTo(IMPLICIT);
    this.implicitOpen = false;
    this.syncDepth = 0;
  }

  /**
   * SQLite checks deferred foreign keys only when the outermost transaction
   * commits, which never happens under a test layer: check them here, as the
   * commit would, and clear defer_foreign_keys as a commit does.
   */
  private checkDeferredForeignKeys(): void {
    if (Number(this.db.queryOne("PRAGMA defer_foreign_keys")?.[0]) !== 1) return;
    this.db.exec("PRAGMA defer_foreign_keys = OFF");
    if (this.db.queryOne("PRAGMA foreign_key_check") !== undefined) throw new ConstraintViolation("FOREIGN KEY constraint failed");
  }

  /** transactionSync(fn): a savepoint per nesting level; a throw rolls back that level only. */
  transactionSync<T>(fn: () => T): T {
    if (typeof fn !== "function") {
      throw new TypeError("Failed to execute 'transactionSync' on 'DurableObjectStorage': parameter 1 is not of type 'Function'.");
    }
    this.beforeWrite();
    const depth = this.syncDepth++;
    const name = syncName(depth);
    try {
      this.db.run(`SAVEPOINT ${name}`);
    } catch (error) {
      this.syncDepth--;
      throw error;
    }
    let result: T;
    try {
      // Like production, a returned promise is returned as it is: the savepoint is released now.
      result = fn();
    } catch (error) {
      this.rollbackTo(name);
      this.syncDepth--;
      throw error;
    }
    this.db.run(`RELEASE ${name}`);
    this.syncDepth--;
    return result;
  }

  /** Starts a test isolation layer: everything after it can be undone by pop(). */
  push(): void {
    if (this.syncDepth > 0) throw internal("a storage layer cannot be pushed inside transactionSync()");
    // The implicit transaction sits above the layers: commit it into the layer below first.
    this.commit();
    this.db.run(`SAVEPOINT ${layerName(this.layers)}`);
    this.layers++;
    this.writesAtLayer.push(this.writes);
  }

  /** Undoes everything since the matching push(), schema changes included; returns whether anything was written since. */
  pop(): boolean {
    if (this.layers === 0) throw internal("pop() without a matching push(): no storage layer is open");
    if (this.syncDepth > 0) throw internal("a storage layer cannot be popped inside transactionSync()");
    const name = layerName(this.layers - 1);
    // Rolling back to the layer also discards the implicit transaction above it.
    this.rollbackTo(name);
    this.layers--;
    this.implicitOpen = false;
    return this.writesAtLayer.pop() !== this.writes;
  }

  /**
   * Undoes a savepoint's changes and ends it. Only a rollback that changed
   * the schema (SQLite's schema cookie moves with every schema change and
   * goes back with the rollback) makes cached statements check themselves
   * again: a test's pop() that undid rows only keeps them, as each re-check
   * prepares and EXPLAINs the statement anew.
   */
  private rollbackTo(name: string): void {
    const schema = this.schemaVersion();
    this.db.run(`ROLLBACK TO ${name}`);
    this.db.run(`RELEASE ${name}`);
    if (this.schemaVersion() === schema) return;
    this.db.schemaChanged();
  }

  private schemaVersion(): string {
    return String(this.db.queryOne("PRAGMA schema_version")?.[0]);
  }
}

class ConstraintViolation extends Error {}

/** A failed commit, in production's words when constraints were violated. */
function commitError(db: SqliteDatabase, error: unknown, storageFailure: TransactionHooks["storageFailure"]): Error {
  if (error instanceof ConstraintViolation) return new Error(`${CONSTRAINT_COMMIT_MESSAGE}${error.message}: SQLITE_CONSTRAINT`);
  const info = db.driver.describeError(error);
  if (info === undefined) return error as Error;
  if (info.code === "SQLITE_CONSTRAINT") return new Error(`${CONSTRAINT_COMMIT_MESSAGE}${info.message}: ${info.code}`);
  // Only constraints and storage fail a commit: a full disk, an I/O error, a file that went away.
  const failure = new Error(`${info.message}: ${info.code}`, { cause: error });
  return storageFailure?.(failure, info.code) ?? failure;
}
