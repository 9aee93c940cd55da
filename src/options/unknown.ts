import { DuraboxError } from "../base/errors.js";
import { CLOUDFLARE_POOL_OPTION_NAMES, MINIFLARE_OPTIONS_NOT_SUPPORTED_YET } from "./miniflare.js";
import { nearestName } from "./nearest.js";
import { testOptions } from "./test-options.js";

export interface KeyContext {
  /** Where the options were given, for the message: "testEnvironmentOptions". */
  readonly where?: string;
  /** Prepended to each key in the message: "workers[0].". */
  readonly prefix?: string;
  /** A last sentence for the message: how to fix it in this place. */
  readonly hint?: string;
}

const notYet = (name: string): string | undefined =>
  Object.hasOwn(MINIFLARE_OPTIONS_NOT_SUPPORTED_YET, name) ? MINIFLARE_OPTIONS_NOT_SUPPORTED_YET[name] : undefined;

/**
 * The error for an option nobody declared: what was given, what is
 * supported, and the likely intended name (or that durabox does not support
 * that Miniflare option yet, or that it belongs to the test environments).
 */
export function unknownOptionError(key: string, known: readonly string[], context: KeyContext = {}): DuraboxError {
  const { where, prefix = "", hint } = context;
  const place = where === undefined ? "" : ` in ${where}`;
  const supported = ` Supported options: ${known.join(", ")}.`;
  const tail = hint === undefined ? "" : ` ${hint}`;
  const missing = notYet(key);
  if (missing !== undefined) {
    return new DuraboxError(
      "ERR_OPTIONS",
      `Option "${prefix}${key}"${place} is Miniflare's option for ${missing}, which durabox does not support yet.${supported}${tail}`,
    );
  }
  let advice = "";
  if (Object.hasOwn(testOptions, key)) {
    advice = ` "${key}" is an option of the test environments (testEnvironmentOptions, environmentOptions.durabox).`;
  } else {
    const candidates = [...known, ...Object.keys(MINIFLARE_OPTIONS_NOT_SUPPORTED_YET)];
    const nearest = nearestName(
      key,
      candidates,
      candidates.filter((name) => !CLOUDFLARE_POOL_OPTION_NAMES.includes(name)),
    );
    const nearestMissing = nearest === undefined ? undefined : notYet(nearest);
    if (nearestMissing !== undefined) {
      advice = ` Did you mean "${nearest}"? It is Miniflare's option for ${nearestMissing}, which durabox does not support yet.`;
    } else if (nearest !== undefined) {
      advice = ` Did you mean "${prefix}${nearest}"?`;
    }
  }
  return new DuraboxError("ERR_OPTIONS", `Unknown option "${prefix}${key}"${place}.${supported}${advice}${tail}`);
}

/** Throws for the first key of `options` not in `known`. */
export function checkOptionKeys(options: object, known: readonly string[], context: KeyContext = {}): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw unknownOptionError(key, known, context);
  }
}
