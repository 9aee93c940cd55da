import type { Cache } from "../bindings/cache/cache.js";
import { currentTestRuntime } from "./registry.js";

/**
 * The global `caches` of a test file (and of worker modules the test runner
 * loads): the current test runtime's Cache API, looked up at each use, so
 * defining it creates no runtime and it follows the file's runtime.
 */
export const caches = {
  get default(): Cache {
    return currentTestRuntime().getCaches().default;
  },
  open(cacheName: string): Promise<Cache> {
    return currentTestRuntime().getCaches().open(cacheName);
  },
};
