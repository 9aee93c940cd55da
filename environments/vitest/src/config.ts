import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestRuntimeOptions } from "durabox/testing";
import { checkHelperOptions, checkNoPoolOptions, OPTIONS_KEY, ROOT_KEY } from "./options.js";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** The slice of a Vite plugin this helper needs, so no Vite types are imposed. */
export interface DuraboxVitestPlugin {
  name: string;
  config(config: { root?: string; test?: { poolOptions?: Record<string, unknown>; pool?: unknown } }): Record<string, unknown>;
}

/**
 * `plugins: [durabox(options)]` in vitest.config: the durabox environment,
 * worker code loaded through Vitest (mocks, coverage, one class identity),
 * `cloudflare:workers` and `cloudflare:test` resolved to durabox's modules,
 * and per-describe and per-test isolation. Takes durabox's options, or
 * `cloudflareTest(options)`'s (`main`, `wrangler`, `miniflare`).
 */
export function durabox(options: TestRuntimeOptions = {}): DuraboxVitestPlugin {
  // Checked here, so a misspelt option fails the config, with its line in the stack.
  checkHelperOptions(options);
  return {
    name: "durabox",
    config(config) {
      checkNoPoolOptions(config.test);
      // The project's root (vitest --root, or root in the config), where wrangler config and scriptPath are
      // resolved from, as Jest's rootDir is; Vite's own default is the working directory.
      const root = path.resolve(config.root ?? process.cwd());
      return {
        resolve: {
          alias: {
            "cloudflare:workers": fileURLToPath(import.meta.resolve("durabox/cloudflare-workers")),
            "cloudflare:test": fileURLToPath(import.meta.resolve("durabox/cloudflare-test")),
          },
        },
        test: {
          environment: "durabox",
          environmentOptions: { [OPTIONS_KEY]: options, [ROOT_KEY]: root },
          setupFiles: [here("./setup.js")],
          runner: here("./runner.js"),
        },
      };
    },
  };
}
