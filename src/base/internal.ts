import { DuraboxError } from "./errors.js";

/** The error for a broken invariant of durabox's own: thrown where "cannot happen" is checked, so a report can name it. */
export function internal(message: string): DuraboxError {
  return new DuraboxError("ERR_INTERNAL", `durabox internal error: ${message} (a bug in durabox: please report it)`);
}
