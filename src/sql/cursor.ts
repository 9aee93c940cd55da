import type { DriverRow, RunResult } from "./driver.js";
import type { Cancelable } from "./open-cursors.js";
import { CpuClock, cpuLimitError, STEPS_PER_CHECK } from "./cpu-limit.js";
import { fromDriverValue, type SqlStorageValue, type ToArrayBuffer } from "./values.js";

/**
 * The result of `sql.exec()`, shaped as production's SqlStorageCursor
 * (workerd api/sql.h): the statement has already stepped to its first row
 * when exec() returns, and each row handed out steps to the next one, so
 * `one()` knows whether more follow and a write runs even if its cursor is
 * never read. Rows are plain objects (a later duplicate column name wins);
 * `raw()` hands out arrays and shares the position.
 */
export interface CursorSource {
  readonly columnNames: readonly string[];
  /** Rows still to step; undefined for statements that return none, or whose only row is `onlyRow`. */
  readonly rows: Iterator<DriverRow> | undefined;
  /** The row of a statement known to return at most one, already stepped (undefined: none). */
  readonly onlyRow?: DriverRow | undefined;
  /** Rows written by a statement that returns none (sqlite3_changes of an INSERT/UPDATE/DELETE). */
  readonly rowsWritten: number;
  /** Rows read by a statement that returns none (an UPDATE or DELETE reads what it changes). */
  readonly rowsRead: number;
  /** Rows written per row returned (INSERT/UPDATE/DELETE … RETURNING: the row and its index entries), else 0. */
  readonly writtenPerRow: number;
  /** An INSERT/UPDATE/DELETE run without rows: the driver's sqlite3_changes() and last_insert_rowid() after it. */
  readonly run?: RunResult | undefined;
  readonly toArrayBuffer: ToArrayBuffer;
  /** Turns a driver error raised while stepping into production's error. */
  readonly stepError: (error: unknown) => Error;
  /** Called when the last row has been stepped (the statement may be reused). */
  readonly finished: () => void;
  /** Stops the statement unfinished (reset, released); called by cancel(). */
  readonly abandon: () => void;
  /** The CPU limit its stepping is held to (cpu-limit.ts), and the statement's text for the error. */
  readonly cpuLimit?: { readonly ms: number; readonly statement: string } | undefined;
}

const CONSTRUCTING = Symbol("SqlStorageCursor");
const DONE: unique symbol = Symbol("done");

type Row = Record<string, SqlStorageValue>;

export class SqlStorageCursor<T extends Record<string, SqlStorageValue> = Row> implements IterableIterator<T>, Cancelable {
  #source: CursorSource;
  #next: DriverRow | typeof DONE;
  #read: number;
  #written: number;
  /** Set when the database was deleted under the cursor: every later read throws it. */
  #canceled: string | undefined;
  #clock: CpuClock | undefined;

  /** @internal Created by sql.exec() only (user code calling it gets production's TypeError). */
  constructor(token?: symbol, source?: CursorSource) {
    if (token !== CONSTRUCTING || source === undefined) throw new TypeError("Illegal constructor");
    this.#source = source;
    this.#read = source.rowsRead;
    this.#written = source.rowsWritten;
    this.#next = DONE;
    if (source.rows !== undefined) {
      this.#next = this.#step();
    } else {
      source.finished();
      if (source.onlyRow !== undefined) {
        this.#next = source.onlyRow;
        this.#read++;
      }
    }
  }

  /** @internal Stops an unfinished cursor: its statement is reset, and every later read throws `message`. */
  cancel(message: string): void {
    if (this.#canceled !== undefined) return;
    this.#canceled = message;
    this.#next = DONE;
    this.#source.abandon();
  }

  /** @internal */
  static create<R extends Record<string, SqlStorageValue>>(source: CursorSource): SqlStorageCursor<R> {
    return new SqlStorageCursor<R>(CONSTRUCTING, source);
  }

  #step(): DriverRow | typeof DONE {
    const source = this.#source;
    if (source.rows === undefined) return DONE;
    let step: IteratorResult<DriverRow>;
    try {
      step = source.rows!.next();
    } catch (error) {
      this.#next = DONE;
      source.finished();
      throw source.stepError(error);
    }
    if (step.done) {
      source.finished();
      return DONE;
    }
    this.#read++;
    this.#written += source.writtenPerRow;
    if ((this.#read & (STEPS_PER_CHECK - 1)) === 0 && source.cpuLimit !== undefined) this.#checkCpu(source.cpuLimit);
    return step.value;
  }

  /** Stops a statement that has stepped rows for longer than the CPU limit in one synchronous run. */
  #checkCpu(limit: { readonly ms: number; readonly statement: string }): void {
    this.#clock ??= new CpuClock(limit.ms);
    if (!this.#clock.exceeded()) return;
    const error = cpuLimitError(limit.ms, limit.statement);
    this.cancel(error.message);
    throw error;
  }

  /** The current row as an array; steps to the next. */
  #take(): DriverRow | typeof DONE {
    if (this.#canceled !== undefined) throw new Error(this.#canceled);
    const row = this.#next;
    if (row !== DONE) this.#next = this.#step();
    return row;
  }

  #object(row: DriverRow): T {
    const names = this.#source.columnNames;
    const toArrayBuffer = this.#source.toArrayBuffer;
    const object: Record<string, SqlStorageValue> = {};
    for (let i = 0; i < names.length; i++) object[names[i]!] = fromDriverValue(row[i], toArrayBuffer);
    return object as T;
  }

  #array(row: DriverRow): SqlStorageValue[] {
    const toArrayBuffer = this.#source.toArrayBuffer;
    const array: SqlStorageValue[] = new Array(row.length);
    for (let i = 0; i < row.length; i++) array[i] = fromDriverValue(row[i], toArrayBuffer);
    return array;
  }

  next(): IteratorResult<T, undefined> {
    const row = this.#take();
    return row === DONE ? { done: true, value: undefined } : { done: false, value: this.#object(row) };
  }

  toArray(): T[] {
    const rows: T[] = [];
    for (let row = this.#take(); row !== DONE; row = this.#take()) rows.push(this.#object(row));
    return rows;
  }

  one(): T {
    const row = this.#take();
    if (row === DONE) throw new Error("Expected exactly one result from SQL query, but got no results.");
    if (this.#next !== DONE) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
    return this.#object(row);
  }

  raw<U extends SqlStorageValue[]>(): RawSqlStorageCursor<U> {
    return new RawSqlStorageCursor<U>(() => {
      const row = this.#take();
      return row === DONE ? undefined : (this.#array(row) as U);
    });
  }

  /** @internal Every remaining row as an array, read at once (the D1 binding's read: no iterator objects). */
  rawRows(): SqlStorageValue[][] {
    const rows: SqlStorageValue[][] = [];
    for (let row = this.#take(); row !== DONE; row = this.#take()) rows.push(this.#array(row));
    return rows;
  }

  /** @internal An INSERT/UPDATE/DELETE that returned no rows: the driver's run() result (its direct changes, last rowid). */
  get runResult(): RunResult | undefined {
    return this.#source.run;
  }

  /** @internal The column names, not copied (callers inside durabox do not change them). */
  get sharedColumnNames(): readonly string[] {
    return this.#source.columnNames;
  }

  get columnNames(): string[] {
    return [...this.#source.columnNames];
  }

  get rowsRead(): number {
    return this.#read;
  }

  get rowsWritten(): number {
    return this.#written;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** `cursor.raw()`: rows as arrays, sharing the cursor's position. */
export class RawSqlStorageCursor<U extends SqlStorageValue[]> implements IterableIterator<U> {
  readonly #take: () => U | undefined;

  constructor(take: () => U | undefined) {
    this.#take = take;
  }

  next(): IteratorResult<U, undefined> {
    const row = this.#take();
    return row === undefined ? { done: true, value: undefined } : { done: false, value: row };
  }

  toArray(): U[] {
    const rows: U[] = [];
    for (let row = this.#take(); row !== undefined; row = this.#take()) rows.push(row);
    return rows;
  }

  [Symbol.iterator](): this {
    return this;
  }
}
