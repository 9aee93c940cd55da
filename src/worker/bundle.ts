import { DuraboxError } from "../errors.js";

/** Worker code to load: inline module source, or an entry file to bundle. */
export type WorkerSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface BundledWorker {
  /** CommonJS, with `cloudflare:*` and `node:*` imports left to the runtime's require. */
  readonly code: string;
  /** Where stack traces say the code came from. */
  readonly filename: string;
}

type Esbuild = typeof import("esbuild");
let esbuild: Promise<Esbuild> | undefined;
/** esbuild costs ~50 ms to import: only a worker that is loaded pays it. */
const loadEsbuild = (): Promise<Esbuild> => (esbuild ??= import("esbuild"));

const scriptCache = new Map<string, Promise<BundledWorker>>();

/**
 * Bundles worker code into one CommonJS function body with esbuild: imports
 * of local files and npm packages resolved (with the `workerd`/`worker`/
 * `browser` export conditions, as wrangler does), TypeScript stripped, an
 * inline source map kept for stack traces. Inline scripts are cached by
 * content: a test suite creating many runtimes bundles each script once.
 */
export function bundleWorker(source: WorkerSource): Promise<BundledWorker> {
  if (source.kind === "path") return build(source);
  const key = `${source.resolveDir}\u0000${source.filename}\u0000${source.code}`;
  let cached = scriptCache.get(key);
  if (cached === undefined) {
    cached = build(source);
    scriptCache.set(key, cached);
    cached.catch(() => scriptCache.delete(key));
  }
  return cached;
}

async function build(source: WorkerSource): Promise<BundledWorker> {
  const { build: esbuildBuild } = await loadEsbuild();
  const filename = source.kind === "path" ? source.path : source.filename;
  try {
    const result = await esbuildBuild({
      ...(source.kind === "path"
        ? { entryPoints: [source.path] }
        : { stdin: { contents: source.code, resolveDir: source.resolveDir, sourcefile: source.filename, loader: "ts" } }),
      bundle: true,
      write: false,
      format: "cjs",
      platform: "neutral",
      target: "es2022",
      mainFields: ["workerd", "worker", "browser", "module", "main"],
      conditions: ["workerd", "worker", "browser"],
      external: ["cloudflare:*", "node:*"],
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error("esbuild produced no output");
    return { code: output.text, filename };
  } catch (error) {
    const messages = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const detail = messages?.length
      ? messages
          .map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text))
          .join("\n")
      : String(error);
    throw new DuraboxError("ERR_SCRIPT", `Could not load the worker script ${filename}:\n${detail}`, { cause: error });
  }
}
