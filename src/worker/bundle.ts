import { statSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { nodeRequire } from "../base/node-require.js";
import { processMap, processRecord, processSharedMap } from "../base/shared-state.js";

/** Worker code to load: inline module source, or an entry file to bundle. */
export type WorkerSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface BundledWorker {
  /** One ES module: `cloudflare:*` and `node:*` imports left for the runtime. */
  readonly code: string;
  /** Where stack traces say the code came from. */
  readonly filename: string;
  /** Whether `code` ends with an inline source map (absolute source paths). */
  readonly sourceMapped: boolean;
}

type Esbuild = typeof import("esbuild");
/**
 * esbuild costs ~50 ms to load: only a worker that needs bundling pays it.
 * Through require, not import(): a test runner's vm context has no dynamic import.
 */
const loadEsbuild = async (): Promise<Esbuild> => nodeRequire("esbuild") as Esbuild;

const SOURCE_MAP_PREFIX = "//# sourceMappingURL=data:application/json;base64,";

/**
 * Bundles worker code into one ES module with esbuild: imports of local files
 * and npm packages resolved (with the `workerd`/`worker`/`browser` export
 * conditions, as wrangler does), TypeScript stripped, and for files an inline
 * source map whose sources are absolute, so stack traces name the original
 * file and line wherever the bundle is loaded from.
 */
export async function bundleWorker(source: WorkerSource): Promise<BundledWorker> {
  if (source.kind === "script") return build(source);
  // A file is bundled again only when one of the files it was built from changed.
  const cached = fileCache.get(source.path);
  if (cached !== undefined && unchanged(cached.inputs)) return cached.bundle;
  const fresh = await build(source);
  const { code, filename, sourceMapped } = fresh;
  // Copies in Node's own realm: the cache outlives the test file (and realm) that built it.
  fileCache.set(source.path, processRecord({ bundle: processRecord({ code, filename, sourceMapped }), inputs: processMap(fresh.inputs) }));
  return fresh;
}

interface CachedBundle {
  readonly bundle: BundledWorker;
  /** Every input file with its modification time when bundled. */
  readonly inputs: ReadonlyMap<string, number>;
}

/** Per process (not per copy of durabox, nor per test realm): a test suite's files share one bundle of the worker. */
const fileCache = processSharedMap<string, CachedBundle>("bundleCache");

function unchanged(inputs: ReadonlyMap<string, number>): boolean {
  for (const [file, mtime] of inputs) {
    try {
      if (statSync(file).mtimeMs !== mtime) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function build(source: WorkerSource): Promise<BundledWorker & { inputs: Map<string, number> }> {
  const { build } = await loadEsbuild();
  const filename = source.kind === "path" ? source.path : source.filename;
  const cwd = source.kind === "path" ? path.dirname(source.path) : source.resolveDir;
  try {
    const result = await build({
      ...(source.kind === "path"
        ? { entryPoints: [source.path] }
        : { stdin: { contents: source.code, resolveDir: source.resolveDir, sourcefile: source.filename, loader: "ts" } }),
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["workerd", "worker", "browser", "module", "main"],
      conditions: ["workerd", "worker", "browser"],
      external: ["cloudflare:*", "node:*"],
      sourcemap: source.kind === "path" ? "inline" : false,
      sourcesContent: false,
      metafile: source.kind === "path",
      logLevel: "silent",
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error("esbuild produced no output");
    const code = source.kind === "path" ? absoluteSources(output.text, cwd) : output.text;
    const inputs = new Map<string, number>();
    for (const input of Object.keys(result.metafile?.inputs ?? {})) {
      const file = path.resolve(cwd, input);
      try {
        inputs.set(file, statSync(file).mtimeMs);
      } catch {
        // Not a file on disk (a virtual module): nothing to watch.
      }
    }
    return { code, filename, sourceMapped: source.kind === "path", inputs };
  } catch (error) {
    if (error instanceof DuraboxError) throw error;
    const messages = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const detail = messages?.length
      ? messages
          .map((m) => (m.location ? `${path.resolve(cwd, m.location.file)}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
          .join("\n")
      : String(error);
    throw new DuraboxError("ERR_SCRIPT", `Could not load the worker script ${filename}:\n${detail}`, { cause: error });
  }
}

/** esbuild writes source paths relative to its working directory; make them absolute. */
function absoluteSources(code: string, cwd: string): string {
  const at = code.lastIndexOf(SOURCE_MAP_PREFIX);
  if (at === -1) return code;
  const encoded = code.slice(at + SOURCE_MAP_PREFIX.length).trim();
  const map = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as { sources: string[] };
  map.sources = map.sources.map((source) => path.resolve(cwd, source));
  return `${code.slice(0, at)}${SOURCE_MAP_PREFIX}${Buffer.from(JSON.stringify(map)).toString("base64")}\n`;
}
