import { DuraboxError } from "../base/errors.js";

/** A worker's compatibility settings, as durabox runs it. */
export interface Compatibility {
  readonly flags: readonly string[];
  readonly date: string | undefined;
}

/** From this compatibility date Node.js compatibility is on without the flag (and the flag is refused by wrangler). */
export const NODEJS_COMPAT_DEFAULT_ON_DATE = "2026-08-04";

/**
 * What Node.js compatibility a worker has, as workerd resolves it: "full"
 * with `nodejs_compat` or `nodejs_compat_v2`, or by default from
 * 2026-08-04 (unless `no_nodejs_compat`); "als" with only `nodejs_als`
 * (`node:async_hooks` alone); else "off".
 */
export function nodejsCompatMode({ flags, date }: Compatibility): "full" | "als" | "off" {
  if (flags.includes("nodejs_compat") || flags.includes("nodejs_compat_v2")) return "full";
  if (isDefaultOn(date) && !flags.includes("no_nodejs_compat")) return "full";
  return flags.includes("nodejs_als") ? "als" : "off";
}

function isDefaultOn(date: string | undefined): boolean {
  return date !== undefined && date >= NODEJS_COMPAT_DEFAULT_ON_DATE;
}

/**
 * Why `filename` may not import `specifier`, saying what would change that
 * for this worker's settings, and the settings durabox runs it with: never
 * to add a flag the worker already has.
 */
export function nodeImportRefused(filename: string, specifier: string, compatibility: Compatibility): DuraboxError {
  const { flags, date } = compatibility;
  const settings =
    `durabox runs this worker with compatibility flags ${flags.length === 0 ? "(none)" : flags.map((f) => `"${f}"`).join(", ")} ` +
    `and compatibility date ${date === undefined ? "(none)" : `"${date}"`}.`;
  let fix: string;
  if (flags.includes("no_nodejs_compat")) {
    fix = `The "no_nodejs_compat" flag turns it off: remove that flag.`;
  } else if (flags.includes("nodejs_als")) {
    fix = `The "nodejs_als" flag provides only node:async_hooks: for "${specifier}", use "nodejs_compat" instead.`;
  } else {
    fix =
      `Add "nodejs_compat" to compatibilityFlags (compatibility_flags in the wrangler config), or set the compatibility date to ` +
      `${NODEJS_COMPAT_DEFAULT_ON_DATE} or later, from which it is on by default. If your wrangler config has the flag, ` +
      `check that durabox reads that file for this worker (wranglerConfigPath).`;
  }
  return new DuraboxError(
    "ERR_SCRIPT",
    `${filename} imports "${specifier}", which Workers provide only with Node.js compatibility. ${fix} (${settings})`,
  );
}
