import { DuraboxError } from "../base/errors.js";
import { peekRealmShared, setRealmShared } from "../base/shared-state.js";
import type { TestRuntime } from "./test-runtime.js";

/**
 * The test file's runtime, shared per realm: every copy of durabox in the
 * file's realm (the environment's, and the one the test imports as
 * `durabox/testing`, which a runner may load separately) finds the same one.
 */
const CURRENT = "testRuntime";

export function registerTestRuntime(global: object, runtime: TestRuntime | undefined): void {
  setRealmShared(CURRENT, runtime, global);
}

export function currentTestRuntime(): TestRuntime {
  const runtime = peekRealmShared<TestRuntime>(CURRENT);
  if (runtime === undefined) {
    throw new DuraboxError(
      "ERR_NO_TEST_RUNTIME",
      'No durabox test runtime: run this test with the durabox environment (Jest: testEnvironment: "durabox"; Vitest: environment: "durabox").',
    );
  }
  return runtime;
}
