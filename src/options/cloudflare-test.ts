import { fail } from "./fail.js";
import { DURABOX_OPTION_NAMES } from "./names.js";
import type { TestRuntimeOptions } from "./types.js";
import { checkOptionKeys } from "./unknown.js";

/**
 * The keys of @cloudflare/vitest-pool-workers' `poolOptions.workers` (0.x)
 * and of the plugin's `cloudflareTest()` (1.x) that mean nothing in durabox,
 * and why: each is accepted, and the `durabox()` plugin prints its line.
 */
export const IGNORED_CLOUDFLARE_OPTIONS: Readonly<Record<string, string>> = {
  remoteBindings: "every binding is local in durabox, none reaches Cloudflare's account",
  experimental_mixedMode: "every binding is local in durabox, none reaches Cloudflare's account",
  additionalExports: "durabox's ctx.exports are the loaded module's own exports, re-exports included",
};

/**
 * `cloudflareTest(options)` (@cloudflare/vitest-plugin) as durabox's options:
 * `main` is `scriptPath`, `wrangler.configPath`/`environment` are
 * `wranglerConfigPath`/`wranglerEnvironment`, and `miniflare`'s keys are
 * durabox's options of the same names (durabox's follow Miniflare's). The
 * pool's `isolatedStorage: false` is `isolation: "file"`; `singleWorker` is
 * the Vitest plugin's to apply (it sets Vitest's config) and goes, as do the
 * keys that mean nothing here. Given both ways, an option is an error rather
 * than a silent choice.
 */
export function fromCloudflareTestOptions(options: TestRuntimeOptions): TestRuntimeOptions {
  const {
    main,
    wrangler,
    miniflare,
    isolatedStorage,
    experimental,
    singleWorker: _appliedByThePlugin,
    remoteBindings: _ignored1,
    experimental_mixedMode: _ignored2,
    additionalExports: _ignored3,
    ...rest
  } = options;
  const result: Record<string, unknown> = { ...rest };
  const set = (name: string, value: unknown, from: string): void => {
    if (value === undefined) return;
    if (result[name] !== undefined) fail(`Options "${from}" and "${name}" were both given: they are the same option, pass one.`);
    result[name] = value;
  };
  if (miniflare !== undefined) {
    checkOptionKeys(miniflare, DURABOX_OPTION_NAMES, { prefix: "miniflare." });
    for (const [name, value] of Object.entries(miniflare)) set(name, value, `miniflare.${name}`);
  }
  set("scriptPath", main, "main");
  set("wranglerConfigPath", wrangler?.configPath, "wrangler.configPath");
  set("wranglerEnvironment", wrangler?.environment, "wrangler.environment");
  if (isolatedStorage !== undefined) {
    const isolation = isolatedStorage ? "test" : "file";
    if (rest.isolation !== undefined && rest.isolation !== isolation) {
      fail(
        `Options "isolatedStorage: ${isolatedStorage}" and "isolation: ${JSON.stringify(rest.isolation)}" disagree: ` +
          `isolatedStorage: ${isolatedStorage} is isolation: "${isolation}"; pass one.`,
      );
    }
    result.isolation = isolation;
  }
  if (experimental?.newConfig !== undefined && experimental.newConfig !== false) {
    fail(
      'Option "experimental.newConfig" reads the Worker\'s configuration from cloudflare.config.ts, which durabox does not read yet: ' +
        "give it as options (main, miniflare: {...}) or a wrangler file (wrangler: { configPath }).",
    );
  }
  return result as TestRuntimeOptions;
}

/** One line for each key given that means nothing in durabox, for the plugin to print. */
export function ignoredOptionNotices(options: object): string[] {
  return Object.keys(options)
    .filter((key) => Object.hasOwn(IGNORED_CLOUDFLARE_OPTIONS, key))
    .map((key) => `durabox: option "${key}" is ignored: ${IGNORED_CLOUDFLARE_OPTIONS[key]}.`);
}

/**
 * The message for @cloudflare/vitest-pool-workers' older config shape,
 * `defineWorkersConfig({ test: { poolOptions: { workers: {...} } } })`:
 * the same options now go to the plugin.
 */
export function poolOptionsMessage(workers: unknown): string {
  const given = typeof workers === "object" && workers !== null ? Object.keys(workers) : [];
  return (
    "test.poolOptions.workers is the configuration of @cloudflare/vitest-pool-workers' defineWorkersConfig(); durabox does not read it. " +
    `Pass those options to the plugin instead: plugins: [durabox({ ${given.length > 0 ? given.map((key) => `${key}: ...`).join(", ") : 'wrangler: { configPath: "./wrangler.toml" }'} })], ` +
    "with defineConfig from vitest/config, and remove test.poolOptions.workers." +
    (typeof workers === "function" ? " (durabox takes the options object itself, not a function returning it.)" : "")
  );
}
