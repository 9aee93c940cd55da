import { DuraboxError } from "../../base/errors.js";
import { outputGateWait } from "../../base/output-gate-wait.js";
import { d1Error, NO_STATEMENTS } from "./errors.js";
import type { D1ExecResult, D1Result } from "./meta.js";
import { D1DatabaseSession, runBatch, sessionStart, type D1SessionBookmark, type D1SessionConstraint } from "./session.js";
import { D1PreparedStatement, type D1Runner } from "./statement.js";
import type { D1Query, D1Store } from "./store.js";

/** A line exec() skips: blank, or only a `--` comment. */
const EMPTY_LINE = /^\s*(?:--.*)?$/;

/**
 * A D1 database binding (`env.DB`), the API of @cloudflare/workers-types'
 * D1Database over one `D1Store`. Each call is one transaction; statements
 * reach the database through the always-primary session, which keeps no
 * bookmark.
 */
export class D1Database {
  readonly #store: D1Store;
  readonly #primary: D1Runner;

  /** @internal Made by the runtime, one per binding. */
  constructor(store: D1Store) {
    this.#store = store;
    this.#primary = {
      run: (queries) => {
        try {
          return store.query(queries);
        } catch (error) {
          throw d1Error("D1_ERROR", error);
        }
      },
    };
  }

  prepare(query: string): D1PreparedStatement {
    return new D1PreparedStatement(this.#primary, query);
  }

  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    return runBatch<T>(this.#primary, statements);
  }

  /**
   * Runs SQL without bindings, one statement (or several, `;`-separated) per
   * line, all in one transaction; `count` is the number of lines run. As in
   * local workerd, a failure names line 1 whichever line failed, and nothing
   * of the call stays.
   */
  async exec(query: string): Promise<D1ExecResult> {
    const lines = String(query).trim().split("\n");
    const queries: D1Query[] = lines.filter((line) => !EMPTY_LINE.test(line)).map((sql) => ({ sql, params: [] }));
    const fail = (error: unknown): Error => {
      if (error instanceof DuraboxError) return error;
      const message = error instanceof Error ? error.message : String(error);
      return d1Error("D1_EXEC_ERROR", new Error(`Error in line 1: ${lines[0]}: ${message}`));
    };
    if (queries.length === 0) throw fail(new Error(NO_STATEMENTS));
    await outputGateWait("D1 exec()");
    let answers;
    try {
      answers = this.#store.query(queries);
    } catch (error) {
      throw fail(error);
    }
    return { count: answers.length, duration: answers.reduce((total, answer) => total + answer.meta.duration, 0) };
  }

  withSession(constraintOrBookmark?: D1SessionBookmark | D1SessionConstraint): D1DatabaseSession {
    return new D1DatabaseSession(this.#store, sessionStart(constraintOrBookmark));
  }

  /** The database as a SQLite file (deprecated in production, where it applies to alpha databases only). */
  async dump(): Promise<ArrayBuffer> {
    try {
      return this.#store.dump();
    } catch (error) {
      throw d1Error("D1_DUMP_ERROR", error);
    }
  }
}
