import * as helpers from "./helpers.js";

const { env: _env, ...allButEnv } = helpers;
/** Every helper but `env`, by name: each export of helpers.ts. */
export const testGlobals: Omit<typeof helpers, "env"> = allButEnv;

/** Puts `env` and the helpers on a test file's global object. */
export function installGlobals(global: object, extra: Record<string, unknown> = {}): void {
  for (const [name, value] of Object.entries({ ...helpers, ...extra })) {
    Object.defineProperty(global, name, { configurable: true, enumerable: true, writable: true, value });
  }
}
