import { createRequire } from "node:module";

/**
 * Node's require, for CommonJS dependencies (loading them through require
 * skips the ESM loader's scan of their source for named exports, which costs
 * more than the load itself) and for `node:*` built-ins of nodejs_compat
 * workers. The CommonJS build (for Jest) defines import.meta.url from its
 * own __filename (scripts/build.mjs); nothing here reads a global
 * __filename, which `node -e` and REPLs define as "[eval]".
 */
export const nodeRequire = createRequire(import.meta.url);
