import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { currentTestRuntime } from "durabox/testing-loader";

/**
 * Per-test isolation for a file run without the durabox() config helper:
 * call it at the top of the file. Every test then starts from the state the
 * file (or its describe block) set up, and the returned `describe` also rolls
 * back what its beforeAll hooks wrote when the block ends.
 */
export function setupIsolatedStorage(): typeof describe {
  const runtime = currentTestRuntime();
  beforeEach(() => runtime.enterScope());
  afterEach(() => runtime.exitScope());
  const isolated = ((name: string, fn: () => void) =>
    describe(name, () => {
      beforeAll(() => runtime.enterScope());
      afterAll(() => runtime.exitScope());
      fn();
    })) as unknown as typeof describe;
  return isolated;
}
