import { fail } from "./fail.js";
import { DURABOX_OPTION_NAMES } from "./names.js";
import type { TestRuntimeOptions } from "./types.js";
import { checkOptionKeys } from "./unknown.js";

/**
 * `cloudflareTest(options)` (@cloudflare/vitest-plugin) as durabox's options:
 * `main` is `scriptPath`, `wrangler.configPath`/`environment` are
 * `wranglerConfigPath`/`wranglerEnvironment`, and `miniflare`'s keys are
 * durabox's options of the same names (durabox's follow Miniflare's). Given
 * both ways, an option is an error rather than a silent choice.
 */
export function fromCloudflareTestOptions(options: TestRuntimeOptions): TestRuntimeOptions {
  const { main, wrangler, miniflare, ...rest } = options;
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
  return result as TestRuntimeOptions;
}

/**
 * The message for @cloudflare/vitest-pool-workers' older config shape,
 * `defineWorkersConfig({ test: { poolOptions: { workers: {...} } } })`:
 * the same options now go to the plugin, and what isolation replaces.
 */
export function poolOptionsMessage(workers: unknown): string {
  const given = typeof workers === "object" && workers !== null ? Object.keys(workers) : [];
  const kept = given.filter((key) => ["main", "wrangler", "miniflare"].includes(key));
  const dropped = given.filter((key) => !kept.includes(key));
  return (
    "test.poolOptions.workers is the configuration of @cloudflare/vitest-pool-workers' defineWorkersConfig(); durabox does not read it. " +
    `Pass those options to the plugin instead: plugins: [durabox({ ${kept.length > 0 ? kept.map((key) => `${key}: ...`).join(", ") : 'wrangler: { configPath: "./wrangler.toml" }'} })], ` +
    "with defineConfig from vitest/config, and remove test.poolOptions.workers." +
    (typeof workers === "function" ? " (durabox takes the options object itself, not a function returning it.)" : "") +
    (dropped.length > 0
      ? ` ${dropped.map((key) => `"${key}"`).join(", ")} ${dropped.length === 1 ? "has" : "have"} no durabox equivalent: isolation is per test by default (isolation: "test"), so isolatedStorage and singleWorker are not needed.`
      : "")
  );
}
