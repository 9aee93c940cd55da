import type { Context } from "node:vm";
import type { ModuleLoader } from "./worker/contracts.js";

/**
 * How a test runner hosts a Durabox (the test environments pass it): not part
 * of the public options, and not exported from the package's main entry.
 */
export interface DuraboxHost {
  /** Resolves relative paths and finds wrangler config (default: process.cwd()). */
  readonly cwd?: string;
  /** Loads `scriptPath` entries through the runner's module system. */
  readonly moduleLoader?: ModuleLoader;
  /** Evaluates bundled worker code in the runner's vm context. */
  readonly vmContext?: Context;
}
