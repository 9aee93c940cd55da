import { d1Error, NO_STATEMENTS } from "./errors.js";
import type { D1Result } from "./meta.js";
import { D1PreparedStatement, resultOf, whenSent, type D1Runner } from "./statement.js";
import type { D1Answer, D1Query, D1Store } from "./store.js";

/** workers-types' D1SessionConstraint: where a session's first query may go. */
export type D1SessionConstraint = "first-primary" | "first-unconstrained";
export type D1SessionBookmark = string;

const FIRST_UNCONSTRAINED = "first-unconstrained";
const FIRST_PRIMARY = "first-primary";

/** Runs a batch through a runner: all statements in one transaction, each answered as all() would. */
export function runBatch<T>(runner: D1Runner, statements: readonly D1PreparedStatement[]): Promise<D1Result<T>[]> {
  if (!Array.isArray(statements) || !statements.every((statement) => statement instanceof D1PreparedStatement)) {
    return Promise.reject(new TypeError("batch() expects an array of prepared statements (from prepare(), with or without bind())."));
  }
  if (statements.length === 0) return Promise.reject(d1Error("D1_ERROR", NO_STATEMENTS));
  return whenSent("D1 batch()", () => {
    const answers = runner.run(statements.map((statement) => statement.query));
    const results = answers as unknown as D1Result<T>[];
    for (let i = 0; i < answers.length; i++) results[i] = resultOf<T>(answers[i]!);
    return results;
  });
}

/**
 * `db.withSession()`: queries in order, each seeing the writes before it
 * (there is one database, always the primary, so every session is
 * sequentially consistent); `getBookmark()` is the latest bookmark its
 * queries returned, in local workerd's format.
 */
export class D1DatabaseSession {
  #bookmarkOrConstraint: string;
  readonly #runner: D1Runner;

  /** @internal Made by D1Database.withSession(). */
  constructor(store: D1Store, constraintOrBookmark: string) {
    this.#bookmarkOrConstraint = constraintOrBookmark;
    if (!this.#bookmarkOrConstraint) throw new Error("D1_SESSION_ERROR: invalid bookmark or constraint");
    this.#runner = {
      run: (queries: readonly D1Query[]): D1Answer[] => {
        let answers: D1Answer[];
        try {
          answers = store.query(queries, true);
        } catch (error) {
          throw d1Error("D1_ERROR", error);
        }
        if (store.lastBookmark !== undefined) this.#update(store.lastBookmark);
        return answers;
      },
    };
  }

  prepare(query: string): D1PreparedStatement {
    return new D1PreparedStatement(this.#runner, query);
  }

  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    return runBatch<T>(this.#runner, statements);
  }

  /** The latest bookmark this session's queries returned; null before the first (a constraint is not a bookmark). */
  getBookmark(): D1SessionBookmark | null {
    const current = this.#bookmarkOrConstraint;
    return current === FIRST_UNCONSTRAINED || current === FIRST_PRIMARY ? null : current;
  }

  /** Keeps the newer of the held bookmark and `bookmark` (concurrent queries may answer out of order). */
  #update(bookmark: string): void {
    const current = this.getBookmark();
    if (current === null || current.localeCompare(bookmark) < 0) this.#bookmarkOrConstraint = bookmark;
  }
}

/** withSession()'s argument: trimmed; nothing (or blank) means "first-unconstrained". */
export function sessionStart(constraintOrBookmark: unknown): string {
  if (constraintOrBookmark === undefined || constraintOrBookmark === null) return FIRST_UNCONSTRAINED;
  if (typeof constraintOrBookmark !== "string") {
    throw new TypeError(
      `withSession() expects a bookmark (a string from getBookmark()), "first-primary" or "first-unconstrained", got ${typeof constraintOrBookmark}.`,
    );
  }
  const trimmed = constraintOrBookmark.trim();
  return trimmed === "" ? FIRST_UNCONSTRAINED : trimmed;
}
