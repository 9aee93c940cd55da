// What the workerd run and the durabox run share, so the two configs differ
// only in the plugin. CONFORMANCE_FILES (comma-separated globs) and
// CONFORMANCE_LEGACY_KEYS=1 are set by scripts/conformance.mjs for the runner
// probes; a plain `vitest run --config ...` runs tests/ as it is.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The suite's folder: this one, or the copy scripts/conformance.mjs --workdir ran in. */
export const here = process.env.CONFORMANCE_ROOT ?? path.dirname(fileURLToPath(import.meta.url));

/** The plugin's options: the wrangler file, plus the 0.x pool's keys when the legacy-keys probe runs. */
export function pluginOptions() {
  const options = { wrangler: { configPath: path.join(here, "wrangler.jsonc") } };
  if (process.env.CONFORMANCE_LEGACY_KEYS === "1") Object.assign(options, { isolatedStorage: false, singleWorker: true });
  return options;
}

export const testOptions = {
  include: (process.env.CONFORMANCE_FILES ?? "tests/**/*.test.ts").split(","),
  testTimeout: 20_000,
};
