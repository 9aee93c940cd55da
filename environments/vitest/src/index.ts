import {
  DURABOX_GLOBAL_NAMES,
  deferTestRuntime,
  loadTestingRuntime,
  registerTestRuntime,
  saveCodeCache,
  type TestingRuntimeModule,
} from "durabox/testing-loader";
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

/**
 * durabox/testing-runtime, loaded when a file first uses durabox (not at setup): through the loader, not an
 * import, so it is compiled from V8's code cache when one is on disk (each test file is a new process under
 * the default pool, which would otherwise compile it anew).
 */
let testing: TestingRuntimeModule | undefined;

const vitestMajor = Number((createRequire(import.meta.url)("vitest/package.json") as { version: string }).version.split(".")[0]);

/** `environment: "durabox"`: one Durable Objects runtime per test file, loaded and created on first use. */
const environment: Environment = {
  name: "durabox",
  viteEnvironment: "ssr",
  // Vitest 3 reads transformMode (4 reads viteEnvironment and warns about transformMode).
  ...(vitestMajor < 4 && { transformMode: "ssr" as const }),
  async setup(global: typeof globalThis, options: Record<string, unknown>) {
    isolation ??= await import("./isolation.js").catch(() => undefined);
    const runtimeOptions = durableOptions(options);
    const cwd = projectRoot(options) ?? process.cwd();
    const extras = { setupIsolatedStorage, setupMiniflareIsolatedStorage: setupIsolatedStorage };
    let restoreGlobals: (() => void) | undefined;
    // A file that never uses durabox loads none of it: see deferTestRuntime.
    const deferred = deferTestRuntime(global, [...DURABOX_GLOBAL_NAMES, ...Object.keys(extras)], () => {
      testing ??= loadTestingRuntime();
      const runtime = new testing.TestRuntime(runtimeOptions, { cwd });
      testing.installGlobals(global, extras);
      // Made on first read, Response and Request only when durabox first needs Node's fetch: a file whose objects
      // answer only RPC never loads it (on Node 22+ any touch of them does; see durabox's base/platform-globals.ts).
      testing.installWebSocketGlobals(global, { lazy: true, deferPlatform: true });
      // crypto.subtle.timingSafeEqual, crypto.DigestStream, MD5, scheduler.wait: test files have them as worker code does.
      restoreGlobals = testing.installWorkersGlobals(global, { lazy: true, deferPlatform: true });
      return runtime;
    });
    return {
      async teardown() {
        restoreGlobals?.();
        registerTestRuntime(global, undefined);
        const runtime = deferred.runtime;
        if (runtime === undefined) return;
        await runtime.dispose();
        saveCodeCache();
      },
    };
  },
};

export default environment;
export { durabox } from "./config.js";
export { setupIsolatedStorage };
