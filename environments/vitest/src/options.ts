import type { TestRuntimeOptions } from "durabox/testing-runtime";

const KNOWN = new Set([
  "name",
  "modules",
  "script",
  "scriptPath",
  "durableObjects",
  "bindings",
  "compatibilityFlags",
  "compatibilityDate",
  "wranglerConfigPath",
  "durableObjectsAlarms",
  "durableObjectsPersist",
  "workers",
  "isolation",
  "durableObjectsPersistWrites",
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

/** Where the durabox() helper puts the project's root among the environment options. */
export const ROOT_KEY = "duraboxRoot";

/** The project root the durabox() helper recorded, if it was used. */
export function projectRoot(environmentOptions: Record<string, unknown> | undefined): string | undefined {
  const root = environmentOptions?.[ROOT_KEY];
  return typeof root === "string" ? root : undefined;
}
