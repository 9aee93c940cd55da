import { DuraboxError } from "../base/errors.js";
import type { TestRuntime } from "./test-runtime.js";

/**
 * The test file's runtime, on the global object under a registered symbol:
 * every copy of durabox in the file's realm (the environment's, and the one
 * the test imports as `durabox/testing`, which a runner may load separately)
 * finds the same runtime.
 */
const CURRENT = Symbol.for("durabox.testRuntime");

type Holder = { [CURRENT]?: TestRuntime };

export function registerTestRuntime(global: object, runtime: TestRuntime | undefined): void {
  (global as Holder)[CURRENT] = runtime;
}

export function currentTestRuntime(): TestRuntime {
  const runtime = (globalThis as Holder)[CURRENT];
  if (runtime === undefined) {
    throw new DuraboxError(
      "ERR_NO_TEST_RUNTIME",
      'No durabox test runtime: run this test with the durabox environment (Jest: testEnvironment: "durabox"; Vitest: environment: "durabox").',
    );
  }
  return runtime;
}
