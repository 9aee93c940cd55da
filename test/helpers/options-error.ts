import { expect } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";

/** The ERR_OPTIONS DuraboxError `make` throws; fails the test when it throws nothing or something else. */
export function optionsError(make: () => unknown): DuraboxError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as DuraboxError).code).toBe("ERR_OPTIONS");
    return error as DuraboxError;
  }
  throw new Error("expected an error");
}
