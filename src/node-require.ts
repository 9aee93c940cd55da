import { createRequire } from "node:module";

declare const __filename: string | undefined;

/**
 * Node's require, for CommonJS dependencies (loading them through require
 * skips the ESM loader's scan of their source for named exports, which costs
 * more than the load itself) and for `node:*` built-ins of nodejs_compat
 * workers. The one place that knows how this module was loaded: the ESM
 * build has import.meta, the CommonJS build (for Jest) has __filename.
 */
export const nodeRequire = createRequire(typeof __filename === "string" ? __filename : import.meta.url);
