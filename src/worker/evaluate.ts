import { createRequire } from "node:module";
import { compileFunction } from "node:vm";
import * as cloudflareWorkers from "./cloudflare-workers.js";
import { Response } from "./response.js";
import { DuraboxError } from "../errors.js";
import type { BundledWorker } from "./bundle.js";

const nodeRequire = createRequire(import.meta.url);

export interface EvaluateOptions {
  /** The nodejs_compat flag: Node's globals and `node:*` built-ins. */
  readonly nodejsCompat: boolean;
}

const navigator = Object.freeze({ userAgent: "Cloudflare-Workers" });

/**
 * Names that mean something else in Workers than in Node, shadowed for the
 * worker's code. Everything else (fetch, Request, Response, crypto, streams,
 * URL, TextEncoder, ...) is the platform's own, in this realm, so values
 * crossing between the caller and the worker pass `instanceof` on both sides.
 */
function workerScope(options: EvaluateOptions): Record<string, unknown> {
  const scope: Record<string, unknown> = {
    navigator,
    Response,
    self: globalThis,
    __filename: undefined,
    __dirname: undefined,
    global: undefined,
  };
  if (!options.nodejsCompat) {
    Object.assign(scope, { process: undefined, Buffer: undefined, setImmediate: undefined, clearImmediate: undefined });
  }
  return scope;
}

function workerRequire(options: EvaluateOptions, filename: string): (specifier: string) => unknown {
  return (specifier) => {
    if (specifier === "cloudflare:workers") return cloudflareWorkers;
    if (specifier.startsWith("node:")) {
      if (!options.nodejsCompat) {
        throw new DuraboxError(
          "ERR_SCRIPT",
          `${filename} imports "${specifier}", which Workers provide only with the nodejs_compat compatibility flag. ` +
            `Add "nodejs_compat" to compatibilityFlags (or compatibility_flags in wrangler.toml).`,
        );
      }
      return nodeRequire(specifier);
    }
    throw new DuraboxError("ERR_SCRIPT", `${filename} imports "${specifier}", which durabox cannot provide.`);
  };
}

/**
 * Runs a bundled worker as a function in this realm (no vm context, no Node
 * flags) and returns its exports.
 */
export function evaluateWorker(bundle: BundledWorker, options: EvaluateOptions): Record<string, unknown> {
  const scope = workerScope(options);
  const names = ["module", "exports", "require", ...Object.keys(scope)];
  let body: Function;
  try {
    body = compileFunction(bundle.code, names, { filename: bundle.filename });
  } catch (error) {
    throw new DuraboxError("ERR_SCRIPT", `Could not compile the worker script ${bundle.filename}: ${String(error)}`, { cause: error });
  }
  const module = { exports: {} as Record<string, unknown> };
  body(module, module.exports, workerRequire(options, bundle.filename), ...Object.values(scope));
  return module.exports;
}
