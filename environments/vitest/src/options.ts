import {
  checkOptionKeys,
  checkValues,
  DuraboxError,
  fromCloudflareTestOptions,
  isRecord,
  poolOptionsMessage,
  TEST_OPTION_NAMES,
  testOptions,
  type TestRuntimeOptions,
} from "durabox/options";

/** Where durabox's options go in `environmentOptions` (Vitest's convention: keyed by environment). */
export const OPTIONS_KEY = "durabox";
/** Where the durabox() helper puts the project's root among the environment options. */
export const ROOT_KEY = "duraboxRoot";
/** Vitest's own environments' keys (jsdom, happy-dom): left alone. */
const OTHER_ENVIRONMENT_KEYS = ["jsdom", "happyDOM"];

/**
 * Throws unless `options` are all durabox's (cloudflareTest()'s and the
 * pool's included) and the test-only ones hold: for durabox({...}), which
 * takes nothing else. The worker's options are checked when a file's
 * runtime starts.
 */
export function checkHelperOptions(options: unknown): TestRuntimeOptions {
  if (!isRecord(options))
    throw new DuraboxError("ERR_OPTIONS", `durabox(options) expects an object of durabox options, got ${JSON.stringify(options)}.`);
  checkOptionKeys(options, TEST_OPTION_NAMES, { where: "durabox({...})" });
  checkValues(options, testOptions);
  fromCloudflareTestOptions(options as TestRuntimeOptions);
  return options as TestRuntimeOptions;
}

/**
 * Refuses @cloudflare/vitest-pool-workers' older shape,
 * `defineWorkersConfig({ test: { poolOptions: { workers } } })`, saying what
 * to write instead: durabox would otherwise ignore those options silently.
 */
export function checkNoPoolOptions(test: { poolOptions?: Record<string, unknown>; pool?: unknown } | undefined): void {
  const workers = test?.poolOptions?.workers;
  if (workers !== undefined) throw new DuraboxError("ERR_OPTIONS", poolOptionsMessage(workers));
  if (typeof test?.pool === "string" && test.pool.includes("vitest-pool-workers")) {
    throw new DuraboxError(
      "ERR_OPTIONS",
      `test.pool is "${test.pool}": remove it, durabox runs in Vitest's own pools (the durabox() plugin sets the environment).`,
    );
  }
}

/**
 * Vitest hands every environment all of `environmentOptions`. Ours are under
 * `durabox`, where every key must be durabox's; given there, durabox's
 * option names outside it are refused (they would be ignored). Without that
 * key, options are read unkeyed as vitest-environment-miniflare read them:
 * then every key must be durabox's, except Vitest's other environments'
 * (jsdom, happyDOM).
 */
export function durableOptions(environmentOptions: Record<string, unknown> | undefined): TestRuntimeOptions {
  const all = environmentOptions ?? {};
  if (all[OPTIONS_KEY] !== undefined) {
    const ours = all[OPTIONS_KEY];
    if (!isRecord(ours)) {
      throw new DuraboxError(
        "ERR_OPTIONS",
        `environmentOptions.${OPTIONS_KEY} must be an object of durabox options, got ${JSON.stringify(ours)}.`,
      );
    }
    checkOptionKeys(ours, TEST_OPTION_NAMES, { where: `environmentOptions.${OPTIONS_KEY}` });
    const stray = Object.keys(all).find((key) => (TEST_OPTION_NAMES as readonly string[]).includes(key));
    if (stray !== undefined) {
      throw new DuraboxError(
        "ERR_OPTIONS",
        `Option "${stray}" is in environmentOptions, outside environmentOptions.${OPTIONS_KEY} where durabox reads its options: move it there.`,
      );
    }
    return ours as TestRuntimeOptions;
  }
  const unkeyed = Object.fromEntries(Object.entries(all).filter(([key]) => key !== ROOT_KEY && !OTHER_ENVIRONMENT_KEYS.includes(key)));
  checkOptionKeys(unkeyed, TEST_OPTION_NAMES, {
    where: "environmentOptions",
    hint: `If it holds another environment's options, put durabox's under environmentOptions.${OPTIONS_KEY}: other keys are then left alone.`,
  });
  return unkeyed as TestRuntimeOptions;
}

/** The project root the durabox() helper recorded, if it was used. */
export function projectRoot(environmentOptions: Record<string, unknown> | undefined): string | undefined {
  const root = environmentOptions?.[ROOT_KEY];
  return typeof root === "string" ? root : undefined;
}
