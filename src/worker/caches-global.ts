import type { CacheStorage } from "../bindings/cache/cache-storage.js";

/** What worker code sees as the global `caches`: its runtime's Cache API (always present, as on Workers). */
export function cachesGlobal(caches: CacheStorage | undefined): { caches: CacheStorage | undefined } {
  return { caches };
}
