import * as path from "../base/path.js";
import { checkValue } from "./check.js";
import { runtimeOptions } from "./declared.js";
import { fail } from "./fail.js";
import type { NormalizedPersistence } from "./normalized.js";

/** Where `durableObjectsPersist: true` keeps data, under the working directory. */
export const DEFAULT_PERSIST_DIRECTORY = path.join(".durabox", "do");

/** Whether a persist value is a URL (`redis://...`) rather than a directory. */
export const isUrl = (value: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(value);

/** Where `r2Persist: true` keeps data, under the working directory. */
const DEFAULT_R2_PERSIST_DIRECTORY = path.join(".durabox", "r2");

/** The persistence options, and where each keeps data when `true`. */
const PERSIST_DIRECTORIES = {
  durableObjectsPersist: DEFAULT_PERSIST_DIRECTORY,
  kvPersist: path.join(".durabox", "kv"),
  cachePersist: path.join(".durabox", "cache"),
  r2Persist: DEFAULT_R2_PERSIST_DIRECTORY,
  queuesPersist: path.join(".durabox", "queues"),
  secretsStorePersist: path.join(".durabox", "secrets-store"),
  workflowsPersist: path.join(".durabox", "workflows"),
} as const;

/** `durableObjectsPersist` (given, or from the wrangler config), or a binding's persistence option, as a backend to open. */
export function normalizePersistence(
  persist: unknown,
  cwd: string,
  option: keyof typeof PERSIST_DIRECTORIES = "durableObjectsPersist",
): NormalizedPersistence {
  checkValue(option, runtimeOptions[option], persist);
  if (persist === undefined || persist === false) return { kind: "memory" };
  if (persist === true) return { kind: "file", directory: path.resolve(cwd, PERSIST_DIRECTORIES[option]) };
  const value = persist as string;
  if (/^rediss?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      fail(`Option "${option}" is not a valid Redis URL: "${value}" (for example redis://127.0.0.1:6379/0).`);
    }
    return { kind: "redis", url: value };
  }
  if (isUrl(value)) fail(`Option "${option}" accepts a directory or a redis:// / rediss:// URL, got "${value}".`);
  return { kind: "file", directory: path.resolve(cwd, value) };
}

/** Where `d1Persist: true` keeps databases, under the working directory. */
const DEFAULT_D1_DIRECTORY = path.join(".durabox", "d1");

/** `d1Persist` as a directory, or undefined for memory. */
export function normalizeD1Persist(persist: unknown, cwd: string): string | undefined {
  checkValue("d1Persist", runtimeOptions.d1Persist, persist);
  if (persist === undefined || persist === false) return undefined;
  if (persist === true) return path.resolve(cwd, DEFAULT_D1_DIRECTORY);
  const value = persist as string;
  if (isUrl(value)) fail(`Option "d1Persist" accepts true or a directory (D1 databases are SQLite files), got "${value}".`);
  return path.resolve(cwd, value);
}
