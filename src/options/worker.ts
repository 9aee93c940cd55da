import * as path from "../base/path.js";
import { findWranglerConfig, readWranglerConfig, type WranglerWorker } from "../config/wrangler.js";
import { checkValues } from "./check.js";
import { workerOptions } from "./declared.js";
import { bindingsOf, normalizeEnv } from "./bindings/env.js";
import { fail } from "./fail.js";
import type { NormalizedSource, NormalizedWorker } from "./normalized.js";
import type { ClassSources } from "./storage-kinds.js";
import { isUrl } from "./persistence.js";
import { normalizeQueueConsumers } from "./queue-consumers.js";
import type { WorkerOptions } from "./types.js";

/** A worker normalised but for its classes' storage kinds, which need every worker (normalize.ts), and what its config declares of them. */
export interface WorkerDraft {
  readonly worker: Omit<NormalizedWorker, "storageKinds">;
  readonly sources: ClassSources;
}

/** One worker's options, over its wrangler config's, checked and defaulted. `prefix` names it in errors ("workers[0]."). */
export function normalizeWorker(options: WorkerOptions, prefix: string, cwd: string, isEntry: boolean): WorkerDraft {
  checkValues(options as Record<string, unknown>, workerOptions, prefix);
  if (options.script !== undefined && options.scriptPath !== undefined) {
    fail(`Options "${prefix}script" and "${prefix}scriptPath" were both given: pass one, the inline source or the path of the entry file.`);
  }

  const config = readConfig(options.wranglerConfigPath, cwd, options.wranglerEnvironment);
  if (options.wranglerEnvironment !== undefined && config === undefined) {
    fail(
      `Option "${prefix}wranglerEnvironment" names a wrangler environment, but no wrangler config is read: set "${prefix}wranglerConfigPath".`,
    );
  }
  const name = options.name ?? config?.name ?? (isEntry ? "" : undefined);
  if (name === undefined) fail(`${prefix.slice(0, -1)} needs a "name": workers other than the first are reached by name.`);

  // The local secrets (.dev.vars, .env) go over the config's vars, as wrangler dev puts them; options win over both.
  const configBindings = config && { ...config.bindings, var: { ...config.bindings.var, ...config.devVars.values } };
  const compatibilityFlags = [...(options.compatibilityFlags ?? config?.compatibilityFlags ?? workerOptions.compatibilityFlags.default)];
  const compatibilityDate = options.compatibilityDate ?? config?.compatibilityDate;
  const env = normalizeEnv(options as Readonly<Record<string, unknown>>, configBindings, {
    prefix,
    workerName: name,
    compatibilityDate,
    compatibilityFlags,
  });
  const durableObjects = bindingsOf(env, "durableObject");
  if (options.modules === false) {
    fail(
      durableObjects.length > 0
        ? `Durable Objects need the modules format, but "${prefix}modules" is false. Remove \`modules: false\` and export the classes from an ES module.`
        : `durabox runs modules-format workers only ("export default { fetch }"): remove \`${prefix}modules: false\`.`,
    );
  }

  let source: NormalizedSource | undefined;
  if (options.script !== undefined) {
    source = { kind: "script", code: options.script, resolveDir: cwd, filename: path.join(cwd, `<script${name ? `:${name}` : ""}>.mjs`) };
  } else if (options.scriptPath !== undefined) {
    source = { kind: "path", path: path.resolve(cwd, options.scriptPath) };
  } else if (config?.scriptPath !== undefined) {
    source = { kind: "path", path: config.scriptPath };
  }
  if (source === undefined && durableObjects.some((d) => d.scriptName === name)) {
    fail(
      `Durable Object bindings name classes of ${name ? `worker "${name}"` : "this worker"}, but it has no code: pass "${prefix}script" or "${prefix}scriptPath"${config ? `, or set "main" in ${config.file}` : ""}.`,
    );
  }

  const worker = {
    name,
    source,
    env,
    durableObjects,
    bindings: Object.fromEntries(bindingsOf(env, "var").map(({ binding, value }) => [binding, value])),
    serviceBindings: bindingsOf(env, "service"),
    ctxExports: ctxExportsEnabled(compatibilityDate, compatibilityFlags),
    compatibilityFlags,
    compatibilityDate,
    d1Databases: bindingsOf(env, "d1"),
    r2Buckets: bindingsOf(env, "r2"),
    kvNamespaces: bindingsOf(env, "kv"),
    queueProducers: bindingsOf(env, "queue"),
    queueConsumers: normalizeQueueConsumers(options.queueConsumers, config?.queueConsumers, prefix),
    configPersist:
      typeof config?.durableObjectsPersist === "string" && !isUrl(config.durableObjectsPersist)
        ? path.resolve(path.dirname(config.file), config.durableObjectsPersist)
        : config?.durableObjectsPersist,
  };
  return {
    worker,
    sources: { name, prefix, bindings: durableObjects, config: config && { file: config.file, classes: config.classes } },
  };
}

function readConfig(configPath: string | boolean | undefined, cwd: string, environment: string | undefined): WranglerWorker | undefined {
  if (configPath === undefined || configPath === false) return undefined;
  if (configPath === true) {
    const found = findWranglerConfig(cwd);
    if (found === undefined) {
      fail(`wranglerConfigPath is true, but no wrangler.toml, wrangler.json or wrangler.jsonc was found in ${cwd} or above it.`);
    }
    return readWranglerConfig(found, environment);
  }
  return readWranglerConfig(path.resolve(cwd, configPath), environment);
}

/** The compatibility date from which `ctx.exports` is on by default (workerd `enable_ctx_exports`). */
const CTX_EXPORTS_DATE = "2025-11-17";

export function ctxExportsEnabled(date: string | undefined, flags: readonly string[]): boolean {
  if (flags.includes("disable_ctx_exports")) return false;
  // No date: the latest, as @cloudflare/vitest-plugin infers it (and as the RPC settings read it).
  return flags.includes("enable_ctx_exports") || date === undefined || date >= CTX_EXPORTS_DATE;
}
