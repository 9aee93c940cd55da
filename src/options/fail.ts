import { DuraboxError } from "../base/errors.js";

/** Throws the options error every check here throws. */
export function fail(message: string): never {
  throw new DuraboxError("ERR_OPTIONS", message);
}
