import { isAuthorized } from "./authorizer.js";
import type { DriverConnection, DriverRow, DriverStatement, DriverValue, SqliteDriver } from "./driver.js";
import { SQL_LIMITS } from "./limits.js";
import { loadSqliteDriver } from "./load-driver.js";
import { checkWal } from "./wal-check.js";

/** A row when `sqlite_sequence` exists and no table declares AUTOINCREMENT. */
const SEQUENCE_UNUSED =
  "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence' AND NOT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%')";

export interface SqliteDatabaseOptions {
  /** A database file, or ":memory:" (the default). */
  readonly location?: string;
  /** Defaults to the process's driver (loadSqliteDriver()). */
  readonly driver?: SqliteDriver;
  /** Told each time the file is opened (first use, and again after suspend()): the runtime bounds how many are. */
  readonly onOpen?: () => void;
}

/**
 * What changed: "schema", the schema may have (user DDL, a rollback, a
 * restore: state derived from it is checked again); "connection", the file
 * was closed by suspend() (prepared statements are gone).
 */
export type DatabaseChange = "schema" | "connection";

/**
 * One object's SQLite database: the driver connection, the authorizer that
 * tells user SQL from durabox's own ("trusted") statements, and a cache of
 * the trusted statements. Everything above (SQL API, key-value table,
 * transactions) goes through here.
 */
export class SqliteDatabase {
  readonly driver: SqliteDriver;
  readonly location: string;
  /** Undefined while suspended: the next use opens the file again. */
  private connection: DriverConnection | undefined;
  private readonly onOpen: (() => void) | undefined;
  /** While positive, the authorizer allows everything: durabox's own statements run. */
  private trustedDepth = 0;
  private readonly statements = new Map<string, DriverStatement>();
  private readonly listeners: ((change: DatabaseChange) => void)[] = [];
  private epoch = 0;
  private closed = false;
  private sequenceLeftOver = false;

  constructor(options: SqliteDatabaseOptions = {}) {
    this.driver = options.driver ?? loadSqliteDriver();
    this.location = options.location ?? ":memory:";
    this.onOpen = options.onOpen;
    // Before SQLite sees it: its recovery would drop what follows a damaged frame, then delete the -wal.
    if (this.location !== ":memory:") checkWal(`${this.location}-wal`);
    this.connection = this.openConnection();
  }

  private openConnection(): DriverConnection {
    const connection = this.driver.open(this.location, {
      limits: SQL_LIMITS,
      authorizer: (action, param1, param2, database, trigger) =>
        this.trustedDepth > 0 || isAuthorized(action, param1, param2, database, trigger),
    });
    if (this.location !== ":memory:") {
      // WAL: a commit is one append, and a killed process leaves the last committed state.
      this.trusted(() => connection.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL"));
    }
    this.onOpen?.();
    return connection;
  }

  /** The connection, opened again if suspended. */
  private get open(): DriverConnection {
    if (this.connection !== undefined) return this.connection;
    if (this.closed) throw new Error("The SQLite database is closed.");
    this.connection = this.openConnection();
    return this.connection;
  }

  /** Moves on every schema change (and suspend()): state derived from the schema compares it. */
  get schemaEpoch(): number {
    return this.epoch;
  }

  /** Calls `listener` after every change (see DatabaseChange). */
  onChange(listener: (change: DatabaseChange) => void): void {
    this.listeners.push(listener);
  }

  /** The schema may have changed (user DDL, a rollback, deleteAll, a restore). */
  schemaChanged(): void {
    this.changed("schema");
  }

  private changed(change: DatabaseChange): void {
    this.epoch++;
    for (const listener of this.listeners) listener(change);
  }

  /** Whether the file can be closed while unused and opened again (an in-memory database cannot). */
  get suspendable(): boolean {
    return this.location !== ":memory:" && !this.closed;
  }

  /**
   * Closes the file while the object is idle, to keep descriptors bounded;
   * the next use opens it again. The caller makes sure nothing is open: no
   * savepoint, no statement stepping.
   */
  suspend(): void {
    if (!this.suspendable || this.connection === undefined) return;
    this.statements.clear();
    this.changed("connection");
    const connection = this.connection;
    this.connection = undefined;
    connection.close();
  }

  /** Whether a table (not a view or index) of that name exists. */
  hasTable(name: string): boolean {
    return this.queryOne("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [name]) !== undefined;
  }

  /** Whether the file is open now. */
  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  get features(): SqliteDriver["features"] {
    return this.driver.features;
  }

  /** Runs `fn` with the authorizer open, for durabox's own statements. */
  trusted<T>(fn: () => T): T {
    this.trustedDepth++;
    try {
      return fn();
    } finally {
      this.trustedDepth--;
    }
  }

  /** Trusted SQL without results (several statements allowed). */
  exec(sql: string): void {
    this.trusted(() => this.open.exec(sql));
  }

  /** A trusted statement, prepared once; INTEGERs read as BigInt on every driver. */
  private statement(sql: string): DriverStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.trusted(() => this.open.prepare(sql, [], true));
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a trusted statement that returns no rows; returns the number of rows changed. */
  run(sql: string, values: readonly DriverValue[] = []): number {
    const statement = this.statement(sql);
    return Number(this.trusted(() => statement.run(values)).changes);
  }

  /** All rows of a trusted query. */
  query(sql: string, values: readonly DriverValue[] = []): DriverRow[] {
    const statement = this.statement(sql);
    return this.trusted(() => {
      const rows: DriverRow[] = [];
      const iterator = statement.iterate(values);
      for (let step = iterator.next(); !step.done; step = iterator.next()) rows.push(step.value);
      return rows;
    });
  }

  /** The first row of a trusted query, or undefined. */
  queryOne(sql: string, values: readonly DriverValue[] = []): DriverRow | undefined {
    const statement = this.statement(sql);
    return this.trusted(() => statement.first(values));
  }

  /**
   * Rows of a trusted query, stepped lazily; each step runs trusted (SQLite
   * may re-prepare, and re-authorize, a statement while stepping it). The
   * statement is prepared anew, so several iterations may be open at once.
   */
  *iterate(sql: string, values: readonly DriverValue[]): Generator<DriverRow, void, undefined> {
    const statement = this.trusted(() => this.open.prepare(sql, [], true));
    const iterator = this.trusted(() => statement.iterate(values));
    try {
      for (;;) {
        const step = this.trusted(() => iterator.next());
        if (step.done) return;
        yield step.value;
      }
    } finally {
      iterator.return?.();
    }
  }

  /** Prepares user SQL: the authorizer applies production's rules. */
  prepare(sql: string, parameterNames: readonly (string | null)[]): DriverStatement {
    return this.open.prepare(sql, parameterNames);
  }

  /** Prepares SQL with the authorizer open (used to probe, never to run user SQL). */
  prepareTrusted(sql: string): DriverStatement {
    return this.trusted(() => this.open.prepare(sql, []));
  }

  /**
   * The size production reports (workerd api/sql.c++ getDatabaseSize): pages
   * in use, (page_count - freelist_count) * page_size, so dropped tables'
   * pages on the free list do not count. At least one page: workerd's fresh
   * database already has its first page, a fresh one here has none yet.
   */
  get size(): number {
    let pages = Number(this.queryOne("SELECT (SELECT * FROM pragma_page_count) - (SELECT * FROM pragma_freelist_count)")?.[0] ?? 0);
    if (this.sequenceLeftOver && this.queryOne(SEQUENCE_UNUSED) !== undefined) pages--;
    const pageSize = Number(this.queryOne("PRAGMA page_size")?.[0] ?? 0);
    return Math.max(pages, 1) * pageSize;
  }

  /**
   * deleteAll() emptied the database, but SQLite never drops `sqlite_sequence`
   * once made; production's deleteAll() starts a new database, which has
   * none. Its page is not counted while no AUTOINCREMENT table uses it.
   */
  sequenceTableLeftOver(): void {
    this.sequenceLeftOver = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statements.clear();
    this.connection?.close();
    this.connection = undefined;
  }
}
