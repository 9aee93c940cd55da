import * as helpers from "./helpers.js";
import { caches } from "./caches-global.js";

const { env: _env, ...allButEnv } = helpers;
/** Every helper but `env`, by name: each export of helpers.ts. */
export const testGlobals: Omit<typeof helpers, "env"> = allButEnv;

/** Puts `env`, the helpers and the Workers global `caches` on a test file's global object. */
export function installGlobals(global: object, extra: Record<string, unknown> = {}): void {
  for (const [name, value] of Object.entries({ ...helpers, caches, ...extra })) {
    Object.defineProperty(global, name, { configurable: true, enumerable: true, writable: true, value });
  }
}
