import { checkOptionKeys, TEST_OPTION_NAMES, type TestRuntimeOptions } from "durabox/options";

/**
 * jest-environment-node's own documented testEnvironmentOptions (Jest 30
 * added globalsCleanup): passed on to it. Every other key must be durabox's.
 * (jest-environment-node also copies its options onto the test's global;
 * Jest's `globals` option is the documented way to set a global.)
 */
export const JEST_ENVIRONMENT_KEYS: readonly string[] = ["customExportConditions", "globalsCleanup"];

const HINT =
  "jest-environment-node's own options (customExportConditions, globalsCleanup) are passed on to it; set other globals with Jest's `globals` option.";

/** Splits testEnvironmentOptions into durabox's and jest-environment-node's; any other key is an error naming it. */
export function splitOptions(options: Record<string, unknown>): { ours: TestRuntimeOptions; rest: Record<string, unknown> } {
  checkOptionKeys(options, [...TEST_OPTION_NAMES, ...JEST_ENVIRONMENT_KEYS], { where: "testEnvironmentOptions", hint: HINT });
  const ours: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (JEST_ENVIRONMENT_KEYS.includes(key) ? rest : ours)[key] = value;
  return { ours: ours as TestRuntimeOptions, rest };
}
