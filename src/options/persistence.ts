import * as path from "../base/path.js";
import { checkValue } from "./check.js";
import { runtimeOptions } from "./declared.js";
import { fail } from "./fail.js";
import type { NormalizedPersistence } from "./normalized.js";

/** Where `durableObjectsPersist: true` keeps data, under the working directory. */
export const DEFAULT_PERSIST_DIRECTORY = path.join(".durabox", "do");

/** Whether a persist value is a URL (`redis://...`) rather than a directory. */
export const isUrl = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

/** `durableObjectsPersist` (given, or from the wrangler config) as a backend to open. */
export function normalizePersistence(persist: unknown, cwd: string): NormalizedPersistence {
  checkValue("durableObjectsPersist", runtimeOptions.durableObjectsPersist, persist);
  if (persist === undefined || persist === false) return { kind: "memory" };
  if (persist === true) return { kind: "file", directory: path.resolve(cwd, DEFAULT_PERSIST_DIRECTORY) };
  const value = persist as string;
  if (/^rediss?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      fail(`Option "durableObjectsPersist" is not a valid Redis URL: "${value}" (for example redis://127.0.0.1:6379/0).`);
    }
    return { kind: "redis", url: value };
  }
  if (isUrl(value)) fail(`Option "durableObjectsPersist" accepts a directory or a redis:// / rediss:// URL, got "${value}".`);
  return { kind: "file", directory: path.resolve(cwd, value) };
}
