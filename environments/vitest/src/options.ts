import type { TestRuntimeOptions } from "durabox/testing-runtime";

const KNOWN = new Set([
  "name", "modules", "script", "scriptPath", "durableObjects", "bindings", "compatibilityFlags", "compatibilityDate",
  "wranglerConfigPath", "durableObjectsAlarms", "durableObjectsPersist", "workers", "isolation", "durableObjectsPersistWrites",
]);

/**
 * Vitest hands every environment all of `environmentOptions`: ours are under
 * `durabox` (Vitest's convention); options given unkeyed, as
 * vitest-environment-miniflare read them, are accepted too.
 */
export function durableOptions(environmentOptions: Record<string, unknown> | undefined): TestRuntimeOptions {
  const all = environmentOptions ?? {};
  if (typeof all.durabox === "object" && all.durabox !== null) return all.durabox as TestRuntimeOptions;
  return Object.fromEntries(Object.entries(all).filter(([key]) => KNOWN.has(key))) as TestRuntimeOptions;
}
