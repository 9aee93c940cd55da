import { createRequire } from "node:module";

/**
 * Node's require, for CommonJS dependencies (loading them through require
 * skips the ESM loader's scan of their source for named exports, which costs
 * more than the load itself) and for `node:*` built-ins of nodejs_compat
 * workers. The one place that knows how this module was loaded.
 */
export const nodeRequire = createRequire(import.meta.url);
