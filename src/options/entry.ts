// durabox/options: the option declarations and the key check, for the test
// environments to check their runner's options with before any runtime loads
// (small: no runtime, no config parsers).
export { durableObjectBindingOptions, workerOptions, runtimeOptions, testOptions } from "./declared.js";
export { WORKER_OPTION_NAMES, DURABOX_OPTION_NAMES, TEST_OPTION_NAMES } from "./names.js";
export { checkOptionKeys, unknownOptionError, type KeyContext } from "./unknown.js";
export { nearestName } from "./nearest.js";
export { fromCloudflareTestOptions, ignoredOptionNotices, poolOptionsMessage } from "./cloudflare-test.js";
export { checkValues } from "./check.js";
export { DuraboxError } from "../base/errors.js";
export { isRecord } from "../base/describe.js";
export type { OptionDeclaration, OptionTable, CliFlag } from "./declaration.js";
export type { ValueType } from "./value-types.js";
export type { TestRuntimeOptions } from "./types.js";
