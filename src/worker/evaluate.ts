import { nodeCrypto } from "../base/node-crypto.js";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "../base/path.js";
import { isBuiltin } from "node:module";
import { pathToFileURL } from "node:url";
import { compileFunction, runInContext, type Context } from "node:vm";
import * as cloudflareWorkers from "../rpc/workers-module.js";
import { NonRetryableError } from "../bindings/workflows/errors.js";

/** The `cloudflare:workflows` module worker code imports. */
const cloudflareWorkflows = Object.freeze({ __proto__: null, NonRetryableError });
import { workerResponseClass } from "./response.js";
import { webSocketGlobals } from "./websocket-globals.js";
import { nodeRequire } from "../base/node-require.js";
import { bundleWorker, type WorkerSource } from "./bundle.js";
import { lexerReady, MODULE_PARAMS, moduleToFunctionBody, type ModuleBody } from "./module-transform.js";
import { DuraboxError } from "../base/errors.js";
import { workersGlobals } from "./workers-globals.js";
import { nodejsCompatMode, nodeImportRefused, type Compatibility } from "./nodejs-compat.js";
import type { CacheStorage } from "../bindings/cache/cache-storage.js";

export interface EvaluateOptions {
  /** The worker's flags and date: Node.js compatibility (Node's globals and `node:*` built-ins) follows from them. */
  readonly compatibility: Compatibility;
  /** Compile in this vm context (a test runner's) rather than the main one. */
  readonly vmContext?: Context | undefined;
  /** What `cloudflare:workers` is for this worker (its env and exports); the classes alone when not given. */
  readonly workersModule?: object | undefined;
  /** The runtime's Cache API, the worker's global `caches`. */
  readonly caches?: CacheStorage | undefined;
}

const navigator = Object.freeze({ userAgent: "Cloudflare-Workers" });

/** Service-worker scripts register handlers with addEventListener: say what to do instead. */
function serviceWorkerScript(): never {
  throw new DuraboxError(
    "ERR_SCRIPT",
    'This is a service-worker script (addEventListener("fetch", ...)); durabox runs the modules format, which Durable Objects require. ' +
      "Export the handler instead: export default { async fetch(request, env, ctx) { ... } }, and export each Durable Object class.",
  );
}

/**
 * Names that mean something else in Workers than in Node, shadowed for the
 * worker's code. Everything else (fetch, Request, crypto, streams, URL,
 * TextEncoder, ...) is the platform's own, in this realm, so values crossing
 * between the caller and the worker pass `instanceof` on both sides.
 */
function workerScope(options: EvaluateOptions): Record<string, unknown> {
  const nodejsCompat = nodejsCompatMode(options.compatibility) === "full";
  const hidden = nodejsCompat ? {} : { process: undefined, Buffer: undefined, setImmediate: undefined, clearImmediate: undefined };
  return {
    navigator,
    // Response among them: the platform's, carrying a webSocket with status 101.
    ...webSocketGlobals(workerResponseClass(), globalThis),
    self: options.vmContext === undefined ? globalThis : (runInContext("globalThis", options.vmContext) as unknown),
    addEventListener: serviceWorkerScript,
    global: undefined,
    require: nodejsCompat ? nodeRequire : undefined,
    module: undefined,
    exports: undefined,
    __filename: undefined,
    __dirname: undefined,
    // The runtime's Cache API, the global `caches` (always present, as on Workers).
    caches: options.caches,
    ...hidden,
    ...workersGlobals(),
  };
}

const BUILTIN = /^(cloudflare:|node:)/;

function importer(options: EvaluateOptions, filename: string): (specifier: string) => unknown {
  return (specifier) => {
    if (specifier === "cloudflare:workers") return options.workersModule ?? cloudflareWorkers;
    if (specifier === "cloudflare:workflows") return cloudflareWorkflows;
    if (specifier.startsWith("node:")) {
      const mode = nodejsCompatMode(options.compatibility);
      if (mode !== "full" && !(mode === "als" && specifier === "node:async_hooks")) {
        throw nodeImportRefused(filename, specifier, options.compatibility);
      }
      if (!isBuiltin(specifier)) {
        throw new DuraboxError(
          "ERR_SCRIPT",
          `${filename} imports "${specifier}", which is not a Node.js built-in module durabox can provide.`,
        );
      }
      return nodeRequire(specifier);
    }
    throw new DuraboxError("ERR_SCRIPT", `${filename} imports "${specifier}", which durabox cannot provide.`);
  };
}

type ModuleFactory = (...args: unknown[]) => void;

/**
 * Loads worker code and returns its exports, evaluated in this realm (no vm
 * context, no Node flags). A short inline script that imports only built-ins
 * is rewritten and compiled directly, in well under a millisecond; anything
 * else (TypeScript, npm packages, local files) is bundled by esbuild first.
 */
export async function loadWorkerModule(source: WorkerSource, options: EvaluateOptions): Promise<Record<string, unknown>> {
  await lexerReady();
  if (source.kind === "script") {
    const direct = moduleToFunctionBody(source.code);
    if (direct !== undefined && direct.imports.every((specifier) => BUILTIN.test(specifier))) {
      const factory = compile(direct, source.filename, options);
      // A syntax error here may be TypeScript: esbuild gets a go.
      if (factory !== undefined) return run(factory, source.filename, options);
    }
  }
  const bundle = await bundleWorker(source);
  const body = moduleToFunctionBody(bundle.code);
  if (body === undefined) {
    throw new DuraboxError(
      "ERR_SCRIPT",
      `Could not load the worker script ${bundle.filename}: its bundle has module syntax durabox cannot run.`,
    );
  }
  // In another vm context, Node's require (and its source maps) would run the code in the wrong realm.
  const factory =
    bundle.sourceMapped && options.vmContext === undefined ? requireFactory(body, options) : compile(body, bundle.filename, options);
  if (factory === undefined) {
    throw new DuraboxError("ERR_SCRIPT", `Could not compile the worker script ${bundle.filename}.`);
  }
  return run(factory, bundle.filename, options);
}

function paramNames(options: EvaluateOptions): string[] {
  return [...MODULE_PARAMS, ...Object.keys(workerScope(options))];
}

function compile(body: ModuleBody, filename: string, options: EvaluateOptions): ModuleFactory | undefined {
  try {
    return compileFunction(body.body, paramNames(options), {
      filename,
      ...(options.vmContext !== undefined && { parsingContext: options.vmContext }),
    }) as ModuleFactory;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Source-mapped code is loaded as a file through Node's require, the one
 * path on which Node applies source maps to stack traces without flags (once
 * process.setSourceMapsEnabled(true)). Files are named by content hash, so
 * each distinct bundle is written and compiled once per machine.
 */
function requireFactory(body: ModuleBody, options: EvaluateOptions): ModuleFactory {
  const sourceMaps = process as { sourceMapsEnabled?: boolean; setSourceMapsEnabled?: (on: boolean) => void };
  if (!sourceMaps.sourceMapsEnabled) sourceMaps.setSourceMapsEnabled?.(true);
  const params = paramNames(options);
  const text = `module.exports = function (${params.join(", ")}) {${body.body}\n};\n`;
  const hash = nodeCrypto().createHash("sha256").update(text).digest("hex").slice(0, 32);
  const directory = path.join(tmpdir(), "durabox-bundles");
  const file = path.join(directory, `${hash}.cjs`);
  if (!existsSync(file)) {
    mkdirSync(directory, { recursive: true });
    // Atomic: a concurrent test worker never reads half a file.
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return nodeRequire(file) as ModuleFactory;
}

function run(factory: ModuleFactory, filename: string, options: EvaluateOptions): Record<string, unknown> {
  const exports: Record<string, unknown> = Object.create(null);
  const importModule = importer(options, filename);
  const dynamicImport = (specifier: string): Promise<unknown> => Promise.resolve().then(() => importModule(specifier));
  const importMeta = { url: pathToFileURL(filename).href };
  factory(exports, importModule, dynamicImport, importMeta, ...Object.values(workerScope(options)));
  return exports;
}
