import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestRuntimeOptions } from "durabox/testing";
import { ignoredOptionNotices } from "durabox/options";
import { tsconfigPathCandidates } from "durabox/testing-loader";
import { checkHelperOptions, checkNoPoolOptions, OPTIONS_KEY, ROOT_KEY } from "./options.js";

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const vitestMajor = Number((createRequire(import.meta.url)("vitest/package.json") as { version: string }).version.split(".")[0]);

/**
 * This environment's module as Vitest 3 should load it. Vitest 3 loads an
 * environment through a module runner it caches per root for the worker's
 * life, still wired to the first file's RPC channel, which closes when that
 * file's run ends. With `isolate: false` the next file's load asks that
 * channel to resolve the module's path whenever the path lies outside the
 * root (an npm workspace: packages hoisted above the package Vitest runs
 * in), and waits 60 s for an answer that never comes. A `/@fs/` path is
 * one it takes as it is, without asking.
 */
const environmentModule = `/@fs/${here("./index.js").replaceAll("\\", "/").replace(/^\//, "")}`;

/** The slice of a Vite plugin this helper needs, so no Vite types are imposed. */
export interface DuraboxVitestPlugin {
  name: string;
  config(config: {
    root?: string;
    resolve?: { alias?: unknown };
    test?: { poolOptions?: Record<string, unknown>; pool?: unknown };
  }): Record<string, unknown>;
  resolveId: {
    order: "pre";
    handler(this: ResolveContext, id: string, importer?: string): Promise<string | undefined> | string | undefined;
  };
}

/** The slice of Vite's plugin context the resolver uses. */
interface ResolveContext {
  resolve(id: string, importer?: string, options?: { skipSelf?: boolean }): Promise<{ id: string } | null>;
}

/**
 * `plugins: [durabox(options)]` in vitest.config: the durabox environment,
 * worker code loaded through Vitest (mocks, coverage, one class identity),
 * `cloudflare:workers` and `cloudflare:test` resolved to durabox's modules,
 * and per-describe and per-test isolation. Takes durabox's options, or
 * `cloudflareTest(options)`'s (`main`, `wrangler`, `miniflare`) and the
 * pool's (`isolatedStorage`, `singleWorker`, ...).
 */
export function durabox(options: TestRuntimeOptions = {}): DuraboxVitestPlugin {
  // Checked here, so a misspelt option fails the config, with its line in the stack.
  checkHelperOptions(options);
  for (const notice of ignoredOptionNotices(options)) console.warn(notice);
  let userAliases: (string | RegExp)[] = [];
  return {
    name: "durabox",
    config(config) {
      checkNoPoolOptions(config.test);
      // The project's root (vitest --root, or root in the config), where wrangler config and scriptPath are
      // resolved from, as Jest's rootDir is; Vite's own default is the working directory.
      const root = path.resolve(config.root ?? process.cwd());
      userAliases = aliasFinds(config.resolve?.alias);
      return {
        resolve: {
          alias: {
            "cloudflare:workers": fileURLToPath(import.meta.resolve("durabox/cloudflare-workers")),
            "cloudflare:test": fileURLToPath(import.meta.resolve("durabox/cloudflare-test")),
            "cloudflare:workflows": fileURLToPath(import.meta.resolve("durabox/cloudflare-workflows")),
          },
        },
        test: {
          environment: "durabox",
          environmentOptions: { [OPTIONS_KEY]: options, [ROOT_KEY]: root },
          setupFiles: [here("./setup.js")],
          runner: here("./runner.js"),
          // The pool's singleWorker: the files one after another in one worker, sharing its module cache.
          ...(options.singleWorker === true && { isolate: false, fileParallelism: false }),
        },
      };
    },
    resolveId: {
      // Before Vite's own resolver, which would answer with the plain path.
      order: "pre",
      handler(id, importer) {
        // Vitest 3 resolving environment: "durabox": see environmentModule.
        if (vitestMajor < 4 && id === "vitest-environment-durabox") return environmentModule;
        // tsconfig `paths` (`@lib/thing`), as wrangler's esbuild resolves them. This hook runs before Vite's
        // alias plugin, so a specifier the user's resolve.alias names is left to it: their alias wins.
        const from = importer === undefined || importer.startsWith("\0") ? undefined : path.dirname(importer.split("?")[0]!);
        const aliased = userAliases.some((find) => (typeof find === "string" ? id === find || id.startsWith(`${find}/`) : find.test(id)));
        const candidates = from === undefined || aliased ? [] : tsconfigPathCandidates(id, from);
        return candidates.length === 0 ? undefined : firstResolved(this, candidates, importer);
      },
    },
  };
}

/** The first of a path pattern's targets Vite resolves (extensions, index files), as TypeScript tries them in order. */
async function firstResolved(context: ResolveContext, candidates: string[], importer: string | undefined): Promise<string | undefined> {
  for (const candidate of candidates) {
    const resolved = await context.resolve(candidate, importer, { skipSelf: true });
    if (resolved !== null) return resolved.id;
  }
  return undefined;
}

/** The `find` of each of the user's `resolve.alias` entries (object or array form). */
function aliasFinds(alias: unknown): (string | RegExp)[] {
  if (Array.isArray(alias)) return alias.map((entry) => (entry as { find: string | RegExp }).find);
  return typeof alias === "object" && alias !== null ? Object.keys(alias) : [];
}
