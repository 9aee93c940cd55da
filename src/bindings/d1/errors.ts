import { DuraboxError } from "../../base/errors.js";

/**
 * D1's errors: a plain Error whose message is a D1 prefix and the database's
 * message, the bare message as its `cause` (as workerd's d1-api makes them):
 * `D1_ERROR: no such table: users: SQLITE_ERROR`. durabox's own errors (a
 * disposed runtime, no SQLite driver) pass through as they are.
 */
export function d1Error(prefix: string, error: unknown): Error {
  if (error instanceof DuraboxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${prefix}: ${message}`, { cause: new Error(message) });
}

/** What local workerd answers to a call without any statement (an empty batch, an empty exec()). */
export const NO_STATEMENTS = "No SQL statements detected.";
