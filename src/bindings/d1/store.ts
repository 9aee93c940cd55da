import { mkdirSync } from "node:fs";
// Node's own clock: a test's fake timers may replace the global `performance`, and this one is cheaper to reach.
import { performance } from "node:perf_hooks";
import { DuraboxError } from "../../base/errors.js";
import * as path from "../../base/path.js";
import { IsolationScopes } from "../../base/isolation-scopes.js";
import type { IsolatedState } from "../../base/isolated-state.js";
import type { DriverValue, SqliteDriver } from "../../sql/driver.js";
import { SqliteObjectStorage } from "../../sql/sqlite-object-storage.js";
import { dumpDatabase } from "./dump.js";
import { SERVED_BY, type D1Meta } from "./meta.js";
import { fromResultValue, type D1Value } from "./values.js";

/** One statement of a call, with its bound values. */
export interface D1Query {
  readonly sql: string;
  readonly params: readonly DriverValue[];
}

/** One statement's answer: its columns, its rows as arrays, and its meta. */
export interface D1Answer {
  readonly columns: readonly string[];
  readonly rows: D1Value[][];
  readonly meta: D1Meta;
}

export interface D1StoreOptions {
  /** The database file (d1Persist), or undefined for memory. */
  readonly location?: string;
  /** Opens the SQLite driver on first use (the process's by default). */
  readonly driver?: () => SqliteDriver;
  /** What holds the directory's lock (its storage backend), released at dispose. */
  readonly lock?: { close(): unknown };
}

/** A persisted database's file: the id percent-encoded (so never a path of its own). */
export function d1Location(directory: string, databaseId: string): string {
  return path.join(directory, `${encodeURIComponent(databaseId).replaceAll(".", "%2E")}.sqlite`);
}

/** Nothing to schedule: every call commits (or rolls back) before it returns. */
const commitsItself = (): void => {};

/**
 * One D1 database: a SQLite database on the driver SQLite-backed Durable
 * Objects use, run as local workerd runs D1 (its statements go through
 * `sql.exec`, so D1 gets production's authorizer, limits and error texts).
 * Each call is one transaction: its statements all commit or none does (the
 * implicit transaction of SQLite-backed objects, committed as the call ends). The
 * database opens on first use, with as many isolation layers (savepoints) as
 * were pushed before, so a per-test pop() costs the test's changes, not the
 * rows stored.
 */
export class D1Store implements IsolatedState {
  readonly #options: D1StoreOptions;
  #storage: SqliteObjectStorage | undefined;
  /** The test scopes' layers: the database joins them when it opens, at their depth then. */
  readonly #layers = new IsolationScopes();
  #disposed = false;
  // SQLite's counters as last read (after each statement that may have moved them), so no statement reads them before it runs.
  #totalChanges = 0;
  #lastRowId = 0;
  #size = 0;
  /** The size must be read before it is reported (first use, a pop, a failed call, a bookmark write). */
  #sizeStale = true;
  /** When the statement running now started (query() sets it, each statement moves it on). */
  #clock = 0;
  // Read once per schema (#readSchemaFacts).
  #pageSize = 0;
  #autoVacuum = false;
  #directChanges = false;
  #virtualTables = false;
  #schemaFactsEpoch = -1;

  constructor(options: D1StoreOptions = {}) {
    this.#options = options;
  }

  /** The bookmark the last query() with `bookmark` took. */
  lastBookmark: string | undefined;

  /** Runs the statements as one transaction; `bookmark` also takes a session bookmark (lastBookmark) before the commit. */
  query(queries: readonly D1Query[], bookmark = false): D1Answer[] {
    const storage = this.#open();
    if (this.#sizeStale) this.#readSize(storage);
    const sizeBefore = this.#size;
    let answers: D1Answer[];
    let firstWrite: number;
    try {
      // The call's writes gather in the implicit transaction (opened by its first write): all commit or none do.
      answers = this.#runAll(storage, queries);
      firstWrite = firstWriteOf(answers);
      if (bookmark) this.lastBookmark = storage.getCurrentBookmark();
      // The size, read once per call that wrote (PRAGMA page_count costs more than a point select), inside the
      // call's transaction where it is cheapest (after the commit it begins a read transaction of its own). The
      // commit leaves the page count as it is unless auto_vacuum truncates the file then.
      const sizeAtCommit = firstWrite !== -1 && this.#readSizeBeforeCommit(storage);
      storage.commit();
      if (firstWrite !== -1 && !sizeAtCommit) this.#readSize(storage);
      // FTS5 writes its shadow tables at the commit too: those changes belong to no statement of the next call.
      if (firstWrite !== -1 && this.#virtualTables) this.#readChanges(storage);
    } catch (error) {
      storage.rollback();
      this.#sizeStale = true;
      throw error;
    } finally {
      if (bookmark) {
        this.#readChanges(storage);
        this.#sizeStale = true;
      }
    }
    // A statement after the call's first write reports the size after the call, the ones before it the size before.
    if (firstWrite !== -1) {
      for (let i = firstWrite; i < answers.length; i++) {
        const meta = answers[i]!.meta;
        if (meta.size_after === SIZE_AFTER_CALL) meta.changed_db ||= this.#size !== sizeBefore;
        meta.size_after = this.#size;
      }
    }
    return answers;
  }

  /**
   * The statements, one after another. A loop of its own: inside query() it ran optimized on stack
   * replacement, which left query()'s code after it without type feedback, and V8 bailed out there on
   * every call.
   */
  #runAll(storage: SqliteObjectStorage, queries: readonly D1Query[]): D1Answer[] {
    const answers: D1Answer[] = [];
    // One clock read per statement: each statement's duration runs from where the one before it ended.
    this.#clock = performance.now();
    for (let i = 0; i < queries.length; i++) answers.push(this.#run(storage, queries[i]!));
    return answers;
  }

  /** The database file's bytes, as SQLite would write it now. */
  dump(): ArrayBuffer {
    const storage = this.#open();
    return dumpDatabase(storage.db);
  }

  pushLayer(): void {
    this.#layers.pushLayer();
  }

  popLayer(): void {
    void this.#layers.popLayer();
  }

  async deleteAll(): Promise<void> {
    const storage = this.#open();
    storage.deleteAll();
    storage.commit();
    this.#readChanges(storage);
    this.#sizeStale = true;
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#storage?.close();
    this.#storage = undefined;
    await this.#options.lock?.close();
  }

  #open(): SqliteObjectStorage {
    if (this.#disposed) throw new DuraboxError("ERR_DISPOSED", "This D1 database belongs to a disposed runtime: create a new Durabox.");
    if (this.#storage !== undefined) return this.#storage;
    const location = this.#options.location;
    if (location !== undefined) {
      try {
        mkdirSync(path.dirname(location), { recursive: true });
      } catch (error) {
        throw new DuraboxError("ERR_STORAGE", `Cannot create the D1 directory ${path.dirname(location)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const storage = new SqliteObjectStorage({
      location,
      driver: this.#options.driver?.(),
      scheduleCommit: commitsItself,
    });
    this.#layers.join({
      pushLayer: () => storage.push(),
      popLayer: () => {
        storage.pop();
        this.#sizeStale = true;
      },
      // deleteAll and dispose are the store's own.
      deleteAll: async () => {},
      dispose: async () => {},
    });
    this.#storage = storage;
    this.#readChanges(storage);
    return storage;
  }

  /**
   * One statement and its meta (its size_after, if it may have written, filled
   * in by query()). The counters are read after a statement only when it may
   * have moved them: a single statement (not `;`-separated ones,
   * whose counts the cursor does not hold) that wrote no row and left the
   * schema alone changed nothing (its triggers and cascades run per row).
   */
  #run(storage: SqliteObjectStorage, query: D1Query): D1Answer {
    const db = storage.db;
    const epoch = db.schemaEpoch;
    const started = this.#clock;
    const result = storage.sql.execAll(query.sql, query.params);
    const rows = result.rows;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let i = 0; i < row.length; i++) {
        const value = row[i];
        if (
          (typeof value === "object" && value !== null) ||
          typeof value === "bigint" ||
          (typeof value === "number" && !Number.isFinite(value))
        ) {
          row[i] = fromResultValue(value);
        }
      }
    }
    this.#clock = performance.now();
    const duration = this.#clock - started;
    const totalBefore = this.#totalChanges;
    const lastRowIdBefore = this.#lastRowId;
    const single = result.statementCount === 1;
    const wrote = result.rowsWritten !== 0 || !single || db.schemaEpoch !== epoch;
    const run = result.run;
    if (run !== undefined && single && this.#changesAreDirect(storage)) {
      // An INSERT/UPDATE/DELETE with no trigger or foreign key action to change more: the driver's own counts
      // are total_changes()'s step and last_insert_rowid(), with no query to read them.
      this.#totalChanges += Number(run.changes);
      this.#lastRowId = Number(run.lastInsertRowid);
    } else if (wrote) {
      this.#readChanges(storage);
    }
    const changes = this.#totalChanges - totalBefore;
    return {
      columns: result.columnNames,
      rows: rows as D1Value[][],
      meta: {
        served_by: SERVED_BY,
        served_by_primary: true,
        duration,
        changes,
        last_row_id: this.#lastRowId,
        changed_db: changes !== 0 || this.#lastRowId !== lastRowIdBefore || db.schemaEpoch !== epoch,
        size_after: wrote ? SIZE_AFTER_CALL : this.#size,
        rows_read: result.rowsRead,
        rows_written: result.rowsWritten,
      },
    };
  }

  /** total_changes() and last_insert_rowid(), in one query. */
  #readChanges(storage: SqliteObjectStorage): void {
    const row = storage.db.queryOne("SELECT total_changes(), last_insert_rowid()")!;
    this.#totalChanges = Number(row[0]);
    this.#lastRowId = Number(row[1]);
  }

  /**
   * Whether a DML statement's changes are all its own (sqlite3_changes() equals the step of total_changes()):
   * no trigger exists to change rows too, no foreign key whose action could (any REFERENCES clause counts), and
   * no virtual table (whose module writes its shadow tables).
   * Read once per schema.
   */
  #changesAreDirect(storage: SqliteObjectStorage): boolean {
    this.#readSchemaFacts(storage);
    return this.#directChanges;
  }

  /** The facts that hold until the schema changes: the page size (a VACUUM may change it), auto_vacuum, triggers and foreign keys. */
  #readSchemaFacts(storage: SqliteObjectStorage): void {
    const db = storage.db;
    if (this.#schemaFactsEpoch === db.schemaEpoch) return;
    this.#pageSize = Number(db.queryOne("PRAGMA page_size")![0]);
    this.#autoVacuum = Number(db.queryOne("PRAGMA auto_vacuum")![0]) !== 0;
    const [changingMore, virtualTables] = db.queryOne(MAY_CHANGE_MORE)!;
    this.#directChanges = Number(changingMore) === 0;
    this.#virtualTables = Number(virtualTables) !== 0;
    this.#schemaFactsEpoch = db.schemaEpoch;
  }

  /** Reads the size now, inside the call's transaction, unless the commit may change it (auto_vacuum); true if it did. */
  #readSizeBeforeCommit(storage: SqliteObjectStorage): boolean {
    this.#readSchemaFacts(storage);
    if (this.#autoVacuum) return false;
    this.#readSize(storage);
    return true;
  }

  /** page_count × page_size. */
  #readSize(storage: SqliteObjectStorage): void {
    this.#readSchemaFacts(storage);
    this.#size = Number(storage.db.queryOne("PRAGMA page_count")![0]) * this.#pageSize;
    this.#sizeStale = false;
  }
}

/**
 * How many schema objects may make a statement change rows besides its own (a trigger; a foreign key, by its
 * ON DELETE/UPDATE action; a virtual table, whose module writes its shadow tables), and how many of them are
 * virtual tables (FTS5 also writes at the commit).
 */
const MAY_CHANGE_MORE =
  "SELECT count(*) FILTER (WHERE type = 'trigger' OR (type = 'table' AND (sql LIKE '%REFERENCES%' OR sql LIKE 'CREATE VIRTUAL%'))), " +
  "count(*) FILTER (WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%') FROM sqlite_schema";

/** A statement's size_after until the call's end reads the size. */
const SIZE_AFTER_CALL = -1;

/** The first statement that may have written (its size_after is the call's), or -1. */
function firstWriteOf(answers: readonly D1Answer[]): number {
  for (let i = 0; i < answers.length; i++) if (answers[i]!.meta.size_after === SIZE_AFTER_CALL) return i;
  return -1;
}
