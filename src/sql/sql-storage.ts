import { DEFAULT_CPU_LIMIT_MS } from "./cpu-limit.js";
import { SqlStorageCursor } from "./cursor.js";
import type { SqliteDatabase } from "./database.js";
import type { DriverRow, DriverStatement, DriverValue, RunResult } from "./driver.js";
import { SQL_LIMITS } from "./limits.js";
import { OpenCursors } from "./open-cursors.js";
import { autoincrements, indexedTable, schemaCounts, writtenPerRow, type SchemaRows } from "./row-counts.js";
import { sqlError } from "./sql-errors.js";
import type { TransactionStack } from "./transactions.js";
import { UserStatements, type CompiledStatement } from "./user-statements.js";
import { defaultToArrayBuffer, longerThan, toDriverValue, type SqlStorageValue, type ToArrayBuffer } from "./values.js";

export interface SqlStorageOptions {
  /** Where unfinished cursors are tracked, for deleteAll() to cancel them (default: a set of its own). */
  readonly openCursors?: OpenCursors;
  /** Makes result BLOBs into the caller realm's ArrayBuffers (default: this module's realm). */
  readonly toArrayBuffer?: ToArrayBuffer;
  /** Distinct query texts whose prepared statements are kept (default 500). */
  readonly cacheSize?: number;
  /** How long a cursor may step rows in one synchronous run (default production's 30 s CPU limit; cpu-limit.ts). */
  readonly cpuLimitMs?: number;
}

/** The cursor of a statement that returns no rows: no columns, never stepped, released before it is made. */
const NO_COLUMNS: readonly string[] = Object.freeze([]);
const neverStepped = (error: unknown): Error => error as Error;
const alreadyReleased = (): void => {};

const MULTI_STATEMENT_PARAMETERS = "When executing multiple SQL statements in a single call, only the last statement can have parameters.";
const WRONG_BINDING_COUNT = "Wrong number of parameter bindings for SQL query.";

/**
 * What execAll() answers: every row at once, as the driver returned them (INTEGERs may be BigInts, BLOBs
 * Uint8Arrays or, from a stepped cursor, ArrayBuffers), and the statement's counts.
 */
export interface AllRows {
  readonly columnNames: readonly string[];
  readonly rows: unknown[][];
  readonly rowsRead: number;
  readonly rowsWritten: number;
  /** An INSERT/UPDATE/DELETE run without rows: the driver's sqlite3_changes() and last_insert_rowid() after it. */
  readonly run: RunResult | undefined;
  /** How many statements the text held (the counts are the last one's). */
  readonly statementCount: number;
}

/** Production's experimental `sql.prepare()` statement type; exec() caches statements itself. */
export class SqlStorageStatement {
  constructor() {
    throw new TypeError("Illegal constructor");
  }
}

/**
 * `ctx.storage.sql` (workers-types SqlStorage): exec() with production's
 * rules, limits and messages; databaseSize; the Cursor and Statement types.
 */
export class SqlStorage {
  readonly #db: SqliteDatabase;
  readonly #transactions: TransactionStack;
  readonly #statements: UserStatements;
  readonly #toArrayBuffer: ToArrayBuffer;
  readonly #open: OpenCursors;
  readonly #cpuLimitMs: number;
  /** The driver's features (fixed for its life), read on every exec(). */
  readonly #features: SqliteDatabase["features"];

  constructor(db: SqliteDatabase, transactions: TransactionStack, options: SqlStorageOptions = {}) {
    this.#open = options.openCursors ?? new OpenCursors();
    this.#db = db;
    this.#transactions = transactions;
    this.#statements = new UserStatements(db, options.cacheSize ?? 500);
    this.#toArrayBuffer = options.toArrayBuffer ?? defaultToArrayBuffer;
    this.#cpuLimitMs = options.cpuLimitMs ?? DEFAULT_CPU_LIMIT_MS;
    this.#features = db.features;
  }

  exec<T extends Record<string, SqlStorageValue> = Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T> {
    this.#transactions.throwPendingError();
    if (typeof query === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    const compiled = this.#statements.compile(typeof query === "string" ? query : String(query));
    const statements = compiled.statements;
    for (let i = 0; i < statements.length - 1; i++) this.#runIntermediate(statements[i]!);
    return this.#runLast<T>(statements[statements.length - 1]!, bindings);
  }

  /**
   * @internal exec() for a caller that reads every row at once (the D1 binding): the same checks, statements
   * and counts, answered without a cursor where the statement's rows are known by the time it returns (a
   * write without rows, a SELECT of at most one row). `values` are already driver values (D1's bind()
   * converted them) and are not changed.
   */
  execAll(query: string, values: readonly DriverValue[]): AllRows {
    this.#transactions.throwPendingError();
    if (typeof query === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    const compiled = this.#statements.compile(typeof query === "string" ? query : String(query));
    const statements = compiled.statements;
    for (let i = 0; i < statements.length - 1; i++) this.#runIntermediate(statements[i]!);
    const last = statements[statements.length - 1]!;
    this.#checkLengths(values);
    const statement = this.#statements.acquire(last);
    let cached = statement === last.prepared;
    try {
      if (values.length !== last.facts.parameterCount) throw new Error(WRONG_BINDING_COUNT);
      this.#beforeRun(last, values);
      let answer: AllRows;
      if (statement.columnNames.length === 0) {
        const schemaBefore = last.changesSchema ? this.#schemaRows() : undefined;
        let result: RunResult;
        try {
          result = statement.run(values);
        } catch (error) {
          throw this.#stepError(error);
        }
        if (cached) this.#statements.release(last);
        cached = false;
        const counts =
          schemaBefore !== undefined ? this.#schemaCounts(last, schemaBefore) : this.#writeCounts(last, Number(result.changes));
        answer = {
          columnNames: NO_COLUMNS,
          rows: [],
          rowsRead: counts.read,
          rowsWritten: counts.written,
          run: last.dml === undefined ? undefined : result,
          statementCount: statements.length,
        };
      } else if (last.singleRow) {
        let row: DriverRow | undefined;
        try {
          row = statement.first(values);
        } catch (error) {
          throw this.#stepError(error);
        }
        if (cached) this.#statements.release(last);
        cached = false;
        const rows = row === undefined ? [] : [row as unknown[]];
        answer = {
          columnNames: statement.columnNames,
          rows,
          rowsRead: rows.length,
          rowsWritten: 0,
          run: undefined,
          statementCount: statements.length,
        };
      } else {
        // Rows to step (with the CPU limit): through a cursor, read to its end now.
        const cursor = this.#iterate<Record<string, SqlStorageValue>>(last, statement, values, cached);
        cached = false;
        const rows = cursor.rawRows();
        answer = {
          columnNames: statement.columnNames,
          rows,
          rowsRead: cursor.rowsRead,
          rowsWritten: cursor.rowsWritten,
          run: undefined,
          statementCount: statements.length,
        };
      }
      if (last.changesSchema) this.#db.schemaChanged();
      return answer;
    } finally {
      if (cached) this.#statements.release(last);
    }
  }

  get databaseSize(): number {
    return this.#db.size;
  }

  get Cursor(): typeof SqlStorageCursor {
    return SqlStorageCursor;
  }

  get Statement(): typeof SqlStorageStatement {
    return SqlStorageStatement;
  }

  /** A statement before the last: it runs now, its rows are discarded, it may not take parameters. */
  #runIntermediate(compiled: CompiledStatement): void {
    const statement = this.#statements.acquire(compiled);
    const cached = statement === compiled.prepared;
    try {
      if (compiled.facts.parameterCount > 0) throw new Error(MULTI_STATEMENT_PARAMETERS);
      this.#beforeRun(compiled, []);
      try {
        if (statement.columnNames.length === 0) statement.run([]);
        else for (const iterator = statement.iterate([]); !iterator.next().done;);
      } catch (error) {
        throw this.#stepError(error);
      }
      if (compiled.changesSchema) this.#db.schemaChanged();
    } finally {
      if (cached) this.#statements.release(compiled);
    }
  }

  #runLast<T extends Record<string, SqlStorageValue>>(compiled: CompiledStatement, bindings: unknown[]): SqlStorageCursor<T> {
    // Bindings convert first (a BigInt is refused before any SQL is looked at), are counted after preparing.
    const values = this.#bindingValues(bindings);
    const statement = this.#statements.acquire(compiled);
    const cached = statement === compiled.prepared;
    let handedOver = false;
    try {
      if (values.length !== compiled.facts.parameterCount) throw new Error(WRONG_BINDING_COUNT);
      this.#beforeRun(compiled, values);
      const cursor =
        statement.columnNames.length === 0
          ? this.#runWithoutRows<T>(compiled, statement, values)
          : this.#iterate<T>(compiled, statement, values, cached);
      handedOver = true;
      if (compiled.changesSchema) this.#db.schemaChanged();
      return cursor;
    } finally {
      if (cached && !handedOver) this.#statements.release(compiled);
    }
  }

  #runWithoutRows<T extends Record<string, SqlStorageValue>>(
    compiled: CompiledStatement,
    statement: DriverStatement,
    values: readonly DriverValue[],
  ): SqlStorageCursor<T> {
    const schemaBefore = compiled.changesSchema ? this.#schemaRows() : undefined;
    let result: RunResult;
    try {
      result = statement.run(values);
    } catch (error) {
      throw this.#stepError(error);
    }
    const changes = Number(result.changes);
    // Nothing left to step: the statement is free for the next exec() now, and the cursor needs no hooks
    // (this path runs once per write, so it allocates no closures).
    if (compiled.prepared === statement) this.#statements.release(compiled);
    const counts = schemaBefore !== undefined ? this.#schemaCounts(compiled, schemaBefore) : this.#writeCounts(compiled, changes);
    return SqlStorageCursor.create<T>({
      columnNames: NO_COLUMNS,
      rows: undefined,
      rowsWritten: counts.written,
      rowsRead: counts.read,
      writtenPerRow: 0,
      // The driver's counts, for an INSERT/UPDATE/DELETE (for anything else its sqlite3_changes() is stale).
      run: compiled.dml === undefined ? undefined : result,
      toArrayBuffer: this.#toArrayBuffer,
      stepError: neverStepped,
      finished: alreadyReleased,
      abandon: alreadyReleased,
    });
  }

  #iterate<T extends Record<string, SqlStorageValue>>(
    compiled: CompiledStatement,
    statement: DriverStatement,
    values: readonly DriverValue[],
    cached: boolean,
  ): SqlStorageCursor<T> {
    if (compiled.singleRow) return this.#runSingleRow<T>(compiled, statement, values);
    let rows: Iterator<DriverRow>;
    try {
      rows = statement.iterate(values);
    } catch (error) {
      throw this.#stepError(error);
    }
    let finished = false;
    let token: object | undefined;
    if (cached) compiled.rows = rows;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (token !== undefined) this.#open.finished(token);
      if (cached && compiled.rows === rows) {
        compiled.rows = undefined;
        this.#statements.release(compiled);
      }
    };
    // Resets the statement unless another cursor took the cached one meanwhile (a fresh one is this cursor's alone).
    const abandon = (): void => {
      if (finished) return;
      if (!cached || compiled.rows === rows) rows.return?.();
      finish();
    };
    const cursor = SqlStorageCursor.create<T>({
      columnNames: statement.columnNames,
      rows,
      rowsWritten: 0,
      rowsRead: 0,
      writtenPerRow: compiled.dml === undefined ? 0 : this.#perRow(compiled),
      toArrayBuffer: this.#toArrayBuffer,
      stepError: (error) => this.#stepError(error),
      finished: finish,
      abandon,
      cpuLimit: { ms: this.#cpuLimitMs, statement: compiled.text },
    });
    if (!finished) {
      token = this.#open.add(cursor, abandon);
      // A cursor left unread keeps the cached statement; once it is collected the statement is reused.
      if (cached) compiled.owner = new WeakRef(cursor);
    }
    return cursor;
  }

  /** A SELECT known to return at most one row: one step now, and the statement is free again. */
  #runSingleRow<T extends Record<string, SqlStorageValue>>(
    compiled: CompiledStatement,
    statement: DriverStatement,
    values: readonly DriverValue[],
  ): SqlStorageCursor<T> {
    let row: DriverRow | undefined;
    try {
      row = statement.first(values);
    } catch (error) {
      throw this.#stepError(error);
    }
    // first() reset the statement: it is free for the next exec() now, and the cursor, which never steps, needs
    // no hooks (this path runs once per point select, so it allocates no closures).
    if (compiled.prepared === statement) this.#statements.release(compiled);
    return SqlStorageCursor.create<T>({
      columnNames: statement.columnNames,
      rows: undefined,
      onlyRow: row,
      rowsWritten: 0,
      rowsRead: 0,
      writtenPerRow: 0,
      toArrayBuffer: this.#toArrayBuffer,
      stepError: neverStepped,
      finished: alreadyReleased,
      abandon: alreadyReleased,
    });
  }

  /**
   * Rows written per changed row by this statement, and (an INSERT) whether its table uses AUTOINCREMENT:
   * both read from the schema once, and again only after it changes (a lone insert would otherwise query
   * sqlite_schema each time).
   */
  #perRow(compiled: CompiledStatement): number {
    if (compiled.perRowEpoch !== this.#db.schemaEpoch) {
      const counted = compiled.counted;
      compiled.perRow = writtenPerRow(this.#db, counted);
      compiled.autoincrement = counted.kind === "insert" && autoincrements(this.#db, counted.table);
      compiled.perRowEpoch = this.#db.schemaEpoch;
    }
    return compiled.perRow;
  }

  /** An INSERT/UPDATE/DELETE without RETURNING (row-counts.ts). */
  #writeCounts(compiled: CompiledStatement, changes: number): { read: number; written: number } {
    const counted = compiled.counted;
    if (compiled.dml === undefined || (counted.kind !== "insert" && counted.kind !== "update" && counted.kind !== "delete")) {
      return { read: 0, written: 0 };
    }
    let written = changes * this.#perRow(compiled);
    let read = counted.kind === "insert" ? 0 : counted.kind === "update" || counted.where ? changes : 0;
    if (counted.kind === "insert") {
      if (compiled.hasSelect) read += changes;
      if (changes > 0 && compiled.autoincrement) {
        read++;
        written++;
      }
    }
    return { read, written };
  }

  #schemaRows(): SchemaRows {
    const row = this.#db.queryOne("SELECT count(*), count(*) FILTER (WHERE type = 'index') FROM sqlite_schema");
    return { all: Number(row?.[0] ?? 0), indexes: Number(row?.[1] ?? 0) };
  }

  #schemaCounts(compiled: CompiledStatement, before: SchemaRows): { read: number; written: number } {
    return schemaCounts(compiled.counted, before, this.#schemaRows(), () => {
      const table = indexedTable(compiled.tokens);
      if (table === undefined) return 0;
      return Number(this.#db.queryOne(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`)?.[0] ?? 0);
    });
  }

  /** Checks that depend on the values, then opens the implicit transaction for a write. */
  #beforeRun(compiled: CompiledStatement, values: readonly DriverValue[]): void {
    const { facts } = compiled;
    const refused = compiled.pragmaCheck?.(values);
    if (refused !== undefined) throw refused;
    if (!this.#features.limits) {
      if (facts.violation?.atRuntime) throw sqlError(facts.violation.message, "SQLITE_ERROR");
      for (const index of facts.patternParameters) {
        const pattern = values[index];
        if (pattern !== undefined && pattern !== null && longerThan(pattern, SQL_LIMITS.likePatternLength)) {
          throw sqlError("LIKE or GLOB pattern too complex", "SQLITE_ERROR");
        }
      }
    }
    if (facts.mayWrite) this.#transactions.beforeWrite();
  }

  /** Converts exec()'s own rest array in place (no caller sees it): one array less per call. */
  #bindingValues(bindings: unknown[]): DriverValue[] {
    // Every value converts before any is measured (a BigInt anywhere is refused first).
    const values = bindings as DriverValue[];
    for (let i = 0; i < bindings.length; i++) values[i] = toDriverValue(bindings[i]);
    this.#checkLengths(values);
    return values;
  }

  /** SQLite's length limit on each bound text or BLOB. */
  #checkLengths(values: readonly DriverValue[]): void {
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (value !== null && longerThan(value, SQL_LIMITS.length)) throw sqlError("string or blob too big", "SQLITE_TOOBIG");
    }
  }

  #stepError(error: unknown): Error {
    const info = this.#db.driver.describeError(error);
    return info === undefined ? (error as Error) : sqlError(info.message, info.code, undefined, info.extended);
  }
}
