import { loadTestingRuntime, saveCodeCache } from "durabox/testing-loader";
import type { Environment } from "vitest/environments";
import { durableOptions, projectRoot } from "./options.js";
import { createRequire } from "node:module";

type Isolation = typeof import("./isolation.js");
/**
 * The isolation helpers, loaded when the environment is set up (they import
 * "vitest", which this module must not do at load: Vitest 3 loads
 * environments before its test state exists).
 */
let isolation: Isolation | undefined;

/** The global setupIsolatedStorage / setupMiniflareIsolatedStorage. */
function setupIsolatedStorage(): ReturnType<Isolation["setupIsolatedStorage"]> {
  if (isolation === undefined) {
    throw new Error('setupIsolatedStorage(): import it from "vitest-environment-durabox/isolation" in this Vitest version.');
  }
  return isolation.setupIsolatedStorage();
}

// Through the loader, not an import: the runtime is compiled from V8's code cache when one is on disk
// (each test file is a new process under the default pool, which would otherwise compile it anew).
const { TestRuntime, installGlobals, installWebSocketGlobals, installWorkersGlobals, registerTestRuntime } = loadTestingRuntime();

const vitestMajor = Number((createRequire(import.meta.url)("vitest/package.json") as { version: string }).version.split(".")[0]);

/** `environment: "durabox"`: one Durable Objects runtime per test file, created on first use. */
const environment: Environment = {
  name: "durabox",
  viteEnvironment: "ssr",
  // Vitest 3 reads transformMode (4 reads viteEnvironment and warns about transformMode).
  ...(vitestMajor < 4 && { transformMode: "ssr" as const }),
  async setup(global: typeof globalThis, options: Record<string, unknown>) {
    isolation ??= await import("./isolation.js").catch(() => undefined);
    const runtime = new TestRuntime(durableOptions(options), { cwd: projectRoot(options) ?? process.cwd() });
    registerTestRuntime(global, runtime);
    installGlobals(global, { setupIsolatedStorage, setupMiniflareIsolatedStorage: setupIsolatedStorage });
    // Made on first read: a fork whose file makes no request never loads Node's fetch or Web Crypto.
    installWebSocketGlobals(global, { lazy: true });
    // crypto.subtle.timingSafeEqual, crypto.DigestStream, MD5, scheduler.wait: test files have them as worker code does.
    const restoreGlobals = installWorkersGlobals(global, { lazy: true });
    return {
      async teardown() {
        restoreGlobals();
        registerTestRuntime(global, undefined);
        await runtime.dispose();
        saveCodeCache();
      },
    };
  },
};

export default environment;
export { durabox } from "./config.js";
export { setupIsolatedStorage };
