import * as helpers from "./helpers.js";
import * as miniflareHelpers from "./miniflare-helpers.js";
import { caches } from "./caches-global.js";

const { env: _env, ...allButEnv } = helpers;
/** Every helper but `env`, by name: each export of helpers.ts and of miniflare-helpers.ts (Miniflare 2's). */
export const testGlobals: Omit<typeof helpers, "env"> & typeof miniflareHelpers = { ...allButEnv, ...miniflareHelpers };

/**
 * Puts `env`, the helpers and the Workers global `caches` on a test file's
 * global object. `env` is read from helpers.ts at each use: each file a
 * runner runs in this realm gets its own (assigning the global replaces it).
 */
export function installGlobals(global: object, extra: Record<string, unknown> = {}): void {
  for (const [name, value] of Object.entries({ ...testGlobals, caches, ...extra })) {
    Object.defineProperty(global, name, { configurable: true, enumerable: true, writable: true, value });
  }
  Object.defineProperty(global, "env", {
    configurable: true,
    enumerable: true,
    get: () => helpers.env,
    set: (value: unknown) => Object.defineProperty(global, "env", { configurable: true, enumerable: true, writable: true, value }),
  });
}
