// durabox/testing: what tests import (the environments also install these
// as globals). Small on purpose: a test runner may load it once per test
// file; everything it does goes through the file's registered runtime.
export * from "./helpers.js";
export * from "./miniflare-helpers.js";
export type { TestRuntimeOptions, Isolation } from "./test-runtime.js";
