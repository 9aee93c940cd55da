import { beforeAll, afterAll, beforeEach, afterEach, describe } from "vitest";
import { TestRuntime, currentTestRuntime, installGlobals, registerTestRuntime } from "durabox/testing";
import type { Environment } from "vitest/environments";
import { durableOptions } from "./options.js";
import { createRequire } from "node:module";

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

const vitestMajor = Number((createRequire(import.meta.url)("vitest/package.json") as { version: string }).version.split(".")[0]);

/** `environment: "durabox"`: one Durable Objects runtime per test file, created on first use. */
const environment: Environment = {
  name: "durabox",
  viteEnvironment: "ssr",
  // Vitest 3 reads transformMode (4 reads viteEnvironment and warns about transformMode).
  ...(vitestMajor < 4 && { transformMode: "ssr" as const }),
  setup(global: typeof globalThis, options: Record<string, unknown>) {
    const runtime = new TestRuntime(durableOptions(options), { cwd: process.cwd() });
    registerTestRuntime(global, runtime);
    installGlobals(global, { setupIsolatedStorage, setupMiniflareIsolatedStorage: setupIsolatedStorage });
    return {
      async teardown() {
        registerTestRuntime(global, undefined);
        await runtime.dispose();
      },
    };
  },
};

export default environment;
export { durabox } from "./config.js";
