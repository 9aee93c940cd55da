import type { Context } from "node:vm";
import { loadTestingRuntime } from "durabox/testing-loader";
import type * as Testing from "durabox/testing-runtime";

/**
 * durabox's testing module, evaluated inside a test file's vm context, so
 * everything durabox makes (Maps from list(), errors, Dates from storage,
 * promises) belongs to the test's realm and passes its `instanceof`.
 * Compiled once per process (from V8's code cache on disk when there is
 * one: durabox/testing-loader), run once per test file.
 */
export function loadTestingInContext(context: Context): typeof Testing {
  return loadTestingRuntime(context);
}
