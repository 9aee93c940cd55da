import type { DriverValue } from "../../sql/driver.js";
import { outputGateWait } from "../../base/output-gate-wait.js";
import type { D1Result } from "./meta.js";
import type { D1Answer, D1Query } from "./store.js";
import { toD1Value, type D1Value } from "./values.js";

/** Where a statement runs: the database (always the primary) or a session keeping a bookmark. */
export interface D1Runner {
  /** Runs the queries as one transaction; throws D1's errors. */
  run(queries: readonly D1Query[]): D1Answer[];
}

/** A row as an object keyed by column name (a later duplicate name wins, as in production). */
function objectOf(columns: readonly string[], row: readonly D1Value[]): Record<string, D1Value> {
  const object: Record<string, D1Value> = {};
  for (let i = 0; i < columns.length; i++) object[columns[i]!] = row[i]!;
  return object;
}

/** The values of a statement prepared and not bound (never changed: nothing writes to a statement's values). */
const NO_PARAMS: readonly DriverValue[] = Object.freeze([]);

/** An answer as all() and batch() return it; its rows array (the answer's own, read once) becomes the results. */
export function resultOf<T>(answer: D1Answer): D1Result<T> {
  const { columns, rows } = answer;
  const results = rows as unknown[];
  for (let i = 0; i < rows.length; i++) results[i] = objectOf(columns, rows[i]!);
  return { success: true, meta: answer.meta, results: results as T[] };
}

/**
 * `call()`'s answer as a promise, once the output gate lets the call go (outputGateWait): at once when
 * nothing is waiting, with no await (so no microtask turn of its own); a throw becomes the rejection.
 */
export function whenSent<T>(what: string, call: () => T): Promise<T> {
  const wait = outputGateWait(what);
  if (wait !== undefined) return wait.then(call);
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/**
 * `db.prepare(sql)`: a statement and its bound values. bind() checks and
 * converts the values at once and returns a new statement; each of first(),
 * all(), raw() and run() runs it as a call of its own.
 */
export class D1PreparedStatement {
  readonly #runner: D1Runner;
  readonly #sql: string;
  readonly #params: readonly DriverValue[];

  /** @internal Made by prepare() and bind(). */
  constructor(runner: D1Runner, sql: string, params: readonly DriverValue[] = NO_PARAMS) {
    this.#runner = runner;
    this.#sql = sql;
    this.#params = params;
  }

  /** @internal The statement as batch() sends it. */
  get query(): D1Query {
    return { sql: this.#sql, params: this.#params };
  }

  bind(...values: unknown[]): D1PreparedStatement {
    // The rest array is bind()'s own: converted in place, it becomes the statement's values.
    for (let i = 0; i < values.length; i++) values[i] = toD1Value(values[i]);
    return new D1PreparedStatement(this.#runner, this.#sql, values as DriverValue[]);
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  first<T>(colName?: string): Promise<T | null> {
    // Inside a Durable Object, sent once the object's earlier writes are confirmed (its output gate).
    return whenSent("D1 query", () => {
      const answer = this.#run();
      const row = answer.rows[0];
      if (row === undefined) return null;
      if (colName === undefined) return objectOf(answer.columns, row) as T;
      const index = answer.columns.lastIndexOf(colName);
      if (index === -1) throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`, { cause: new Error("Column not found") });
      return row[index] as T;
    });
  }

  all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return whenSent("D1 query", () => resultOf<T>(this.#run()));
  }

  run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return whenSent("D1 query", () => resultOf<T>(this.#run()));
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[] | [string[], ...T[]]> {
    return whenSent("D1 query", (): T[] | [string[], ...T[]] => {
      const answer = this.#run();
      const rows = answer.rows as T[];
      return options?.columnNames ? [[...answer.columns], ...rows] : rows;
    });
  }

  #run(): D1Answer {
    return this.#runner.run([this.query])[0]!;
  }
}
