// durabox/testing-loader: how the test environments load durabox/testing-runtime. The runtime is one
// large file (about 600 KB) that every test file's environment loads: under Vitest's default pool each
// file is a new process, so compiling it is paid per file. V8's code cache (the compiled functions,
// written once after a file has run) is kept on disk, keyed by the file's content and the Node build,
// and handed back to V8 by the next process, which then skips most of that compilation. Node 22.1+
// has module.enableCompileCache() for the same purpose; vm.Script's cachedData works on every Node
// durabox supports, in Jest's vm contexts too.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Script, type Context } from "node:vm";
import type * as TestingRuntime from "./runtime-entry.js";
import { nodeRequire } from "../base/node-require.js";

/** What `loadTestingRuntime` returns: durabox/testing-runtime's exports. */
export type TestingRuntimeModule = typeof TestingRuntime;

/** `DURABOX_CODE_CACHE=0` turns the on-disk code cache off (the runtime is then compiled in every process). */
const DISABLED = process.env.DURABOX_CODE_CACHE === "0";

interface Compiled {
  readonly script: Script;
  readonly file: string;
  /** Where the code cache is kept; undefined when it is off. */
  readonly cacheFile: string | undefined;
  /** Whether V8 took the cached code (false: none was there, or it was rejected). */
  readonly cacheUsed: boolean;
  saved: boolean;
}

let compiled: Compiled | undefined;

/** The runtime's CommonJS build, beside this file in dist/. */
function runtimeFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, "testing-runtime.cjs");
}

/**
 * `node_modules/.cache/durabox/` of the project the package is installed in (what other tools use for
 * such caches), else (durabox run from its own repository) the system's temporary directory.
 */
function cacheDirectory(file: string): string {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = file.lastIndexOf(marker);
  if (at !== -1) return path.join(file.slice(0, at + marker.length), ".cache", "durabox");
  return path.join(tmpdir(), "durabox-code-cache");
}

function compile(): Compiled {
  const file = runtimeFile();
  const bytes = readFileSync(file);
  const source = bytes.toString("utf8");
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  if (!DISABLED) {
    // The source, the Node build and V8's flags decide whether a cache fits: all three are in the key. The
    // source by its length and CRC-32 (what Node's own compile cache keys by): node:crypto would cost a
    // file that never uses durabox's runtime 12 ms to load, and SHA-256 of 700 KB 4 ms more.
    const { crc32 } = nodeRequire("node:zlib") as typeof import("node:zlib");
    const { cachedDataVersionTag } = nodeRequire("node:v8") as typeof import("node:v8");
    const build = `${process.version}-${process.arch}-${cachedDataVersionTag()}`;
    const key = `${bytes.length.toString(16)}-${crc32(bytes).toString(16)}-${crc32(build).toString(16)}`;
    cacheFile = path.join(cacheDirectory(file), `testing-runtime-${key}.v8`);
    if (existsSync(cacheFile)) {
      try {
        cachedData = readFileSync(cacheFile);
      } catch {
        cachedData = undefined;
      }
    }
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData !== undefined && { cachedData }),
  });
  const cacheUsed = cachedData !== undefined && script.cachedDataRejected !== true;
  return { script, file, cacheFile, cacheUsed, saved: cacheUsed };
}

/**
 * durabox/testing-runtime, evaluated in `context` (a Jest test file's vm context, so everything durabox
 * makes belongs to the test's realm) or, without one, in this realm. Compiled once per process (from
 * the code cache when there is one), evaluated once per call; its dependencies load through Node's
 * require as usual.
 */
export function loadTestingRuntime(context?: Context): TestingRuntimeModule {
  compiled ??= compile();
  const { script, file } = compiled;
  const factory = (context === undefined ? script.runInThisContext() : script.runInContext(context)) as (...args: unknown[]) => void;
  const module = { exports: {} as TestingRuntimeModule };
  factory(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/**
 * Writes the code cache if this process compiled the runtime without one. Called when a test file has
 * run (its teardown), so the cache holds the functions that file compiled too, and the next process
 * skips their compilation as well. Written to a temporary file and renamed, so processes writing at
 * once leave one whole file; a cache that cannot be written (a read-only folder) is only a slower start.
 */
export function saveCodeCache(): void {
  if (compiled === undefined || compiled.saved || compiled.cacheFile === undefined) return;
  compiled.saved = true;
  const { cacheFile, script } = compiled;
  try {
    mkdirSync(path.dirname(cacheFile), { recursive: true });
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    // A cache only: without it the next process compiles the runtime itself.
  }
}

/** For tests and the bench: where the code cache is kept and whether this process used it. */
export function codeCacheState(): { file: string | undefined; used: boolean; saved: boolean } {
  return { file: compiled?.cacheFile, used: compiled?.cacheUsed ?? false, saved: compiled?.saved ?? false };
}

/** The current test file's runtime (shared per realm, so it is the one the loaded runtime registered). */
export { currentTestRuntime } from "./registry.js";
export { tsconfigPathCandidates } from "../config/tsconfig-paths.js";
export { registerTestRuntime } from "./registry.js";
export { deferTestRuntime, type DeferredTestRuntime } from "./deferred-runtime.js";
export { DURABOX_GLOBAL_NAMES } from "./global-names.js";
