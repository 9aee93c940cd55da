import * as path from "./base/path.js";
import { DuraboxError } from "./base/errors.js";
import { findWranglerConfig, readWranglerConfig, type WranglerWorker } from "./config/wrangler.js";

/** A Durable Object binding: a class name, or the class of another worker. */
export interface DurableObjectBindingOptions {
  className: string;
  /** The name of the worker exporting the class (default: this worker). */
  scriptName?: string;
}

/** One worker's options; names follow Miniflare 2's. */
export interface WorkerOptions {
  /** The worker's name: what other workers' `scriptName` refer to. */
  name?: string;
  /** Modules format; implied, and the only format durabox runs. */
  modules?: boolean;
  /** The worker's module source, inline. */
  script?: string;
  /** The worker's entry file (.js, .mjs, .ts), bundled with esbuild. */
  scriptPath?: string;
  /** Binding name to the class name exported by the script (or `{ className, scriptName }`). */
  durableObjects?: Record<string, string | DurableObjectBindingOptions>;
  /** Plain bindings on `env`: strings, numbers, objects. */
  bindings?: Record<string, unknown>;
  /** Workers compatibility flags; `nodejs_compat` exposes Node's built-ins. */
  compatibilityFlags?: string[];
  /** Workers compatibility date. */
  compatibilityDate?: string;
  /** A wrangler.toml / wrangler.json(c) to read; `true` finds one from the working directory up. Options given here win over the file. */
  wranglerConfigPath?: string | boolean;
}

/** The options of `new Durabox(...)`: the entry worker's options, plus these. */
export interface DuraboxOptions extends WorkerOptions {
  /**
   * Where Durable Object data lives: false (default) in memory; true in
   * ./.durabox/do; a directory; or a redis:// (rediss://) URL.
   */
  durableObjectsPersist?: boolean | string;
  /** Whether alarms fire by themselves at their time (default true). */
  durableObjectsAlarms?: boolean;
  /** More workers; with no script at the top level, the first is the entry. */
  workers?: WorkerOptions[];
}

export interface NormalizedBinding {
  readonly binding: string;
  readonly className: string;
  /** The worker exporting the class. */
  readonly scriptName: string;
}

export type NormalizedSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface NormalizedWorker {
  readonly name: string;
  readonly source: NormalizedSource | undefined;
  readonly durableObjects: readonly NormalizedBinding[];
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly compatibilityFlags: readonly string[];
  readonly compatibilityDate: string | undefined;
  /** Classes declared SQLite-backed by the config's migrations. */
  readonly sqliteClasses: readonly string[];
  /** durable_objects_persist from the worker's wrangler config, relative paths resolved. */
  readonly configPersist: boolean | string | undefined;
}

export type NormalizedPersistence =
  { readonly kind: "memory" } | { readonly kind: "file"; readonly directory: string } | { readonly kind: "redis"; readonly url: string };

export interface NormalizedOptions {
  /** The entry worker (dispatchFetch goes there) first. */
  readonly workers: readonly NormalizedWorker[];
  readonly automaticAlarms: boolean;
  readonly persistence: NormalizedPersistence;
}

/** Where `durableObjectsPersist: true` keeps data, under the working directory. */
export const DEFAULT_PERSIST_DIRECTORY = path.join(".durabox", "do");

const WORKER_KEYS: readonly (keyof WorkerOptions)[] = [
  "name",
  "modules",
  "script",
  "scriptPath",
  "durableObjects",
  "bindings",
  "compatibilityFlags",
  "compatibilityDate",
  "wranglerConfigPath",
];
const TOP_KEYS: readonly (keyof DuraboxOptions)[] = [...WORKER_KEYS, "durableObjectsAlarms", "durableObjectsPersist", "workers"];

function fail(message: string): never {
  throw new DuraboxError("ERR_OPTIONS", message);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectType(value: unknown, type: "string" | "boolean", option: string, example: string): void {
  if (value !== undefined && typeof value !== type) {
    fail(`Option "${option}" must be a ${type} (for example ${example}), got ${typeName(value)}.`);
  }
}

/**
 * Validates options once, at the edge, into the normalised shape everything
 * deeper relies on: nothing below re-checks or re-defaults them.
 */
export function normalizeOptions(options: DuraboxOptions, cwd = process.cwd()): NormalizedOptions {
  if (!isRecord(options as unknown)) fail(`Durabox options must be an object, got ${typeName(options)}.`);
  checkKeys(options, TOP_KEYS, "");
  expectType(options.durableObjectsAlarms, "boolean", "durableObjectsAlarms", "false");
  const extra = options.workers ?? [];
  if (!Array.isArray(extra)) fail(`Option "workers" must be an array of worker options, got ${typeName(extra)}.`);
  extra.forEach((worker, i) => {
    if (!isRecord(worker)) fail(`workers[${i}] must be an object of worker options, got ${typeName(worker)}.`);
    checkKeys(worker, WORKER_KEYS, `workers[${i}].`);
  });

  const { workers: _workers, durableObjectsAlarms: _alarms, ...top } = options;
  const topIsWorker = WORKER_KEYS.some((key) => top[key] !== undefined) || extra.length === 0;
  const raw: { options: WorkerOptions; prefix: string }[] = [
    ...(topIsWorker ? [{ options: top, prefix: "" }] : []),
    ...extra.map((worker, i) => ({ options: worker, prefix: `workers[${i}].` })),
  ];
  const workers = raw.map(({ options: worker, prefix }, index) => normalizeWorker(worker, prefix, cwd, index === 0));

  const names = new Set<string>();
  for (const worker of workers) {
    if (names.has(worker.name)) fail(`Two workers are named "${worker.name}": give each worker a distinct name.`);
    names.add(worker.name);
  }
  for (const worker of workers) {
    for (const { binding, scriptName } of worker.durableObjects) {
      if (!names.has(scriptName)) {
        const known = [...names].map((n) => `"${n}"`).join(", ");
        fail(
          `durableObjects.${binding} names scriptName "${scriptName}", but no worker of that name is configured (workers: ${known}). Add it to "workers".`,
        );
      }
    }
  }
  const persist = options.durableObjectsPersist ?? workers[0]?.configPersist;
  return { workers, automaticAlarms: options.durableObjectsAlarms ?? true, persistence: normalizePersistence(persist, cwd) };
}

function normalizePersistence(persist: unknown, cwd: string): NormalizedPersistence {
  if (persist === undefined || persist === false) return { kind: "memory" };
  if (persist === true) return { kind: "file", directory: path.resolve(cwd, DEFAULT_PERSIST_DIRECTORY) };
  if (typeof persist !== "string" || persist === "") {
    fail(`Option "durableObjectsPersist" must be true, a directory or a redis:// URL, got ${typeName(persist)}.`);
  }
  if (/^rediss?:\/\//i.test(persist)) {
    try {
      new URL(persist);
    } catch {
      fail(`Option "durableObjectsPersist" is not a valid Redis URL: "${persist}" (for example redis://127.0.0.1:6379/0).`);
    }
    return { kind: "redis", url: persist };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(persist)) {
    fail(`Option "durableObjectsPersist" accepts a directory or a redis:// / rediss:// URL, got "${persist}".`);
  }
  return { kind: "file", directory: path.resolve(cwd, persist) };
}

function checkKeys(options: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) fail(`Unknown option "${prefix}${key}". Supported options: ${known.join(", ")}.`);
  }
}

function normalizeWorker(options: WorkerOptions, prefix: string, cwd: string, isEntry: boolean): NormalizedWorker {
  expectType(options.name, "string", `${prefix}name`, '"api"');
  expectType(options.modules, "boolean", `${prefix}modules`, "true");
  expectType(options.script, "string", `${prefix}script`, '"export default { fetch() { ... } }"');
  expectType(options.scriptPath, "string", `${prefix}scriptPath`, '"src/index.ts"');
  expectType(options.compatibilityDate, "string", `${prefix}compatibilityDate`, '"2024-09-23"');
  const configPath = options.wranglerConfigPath;
  if (configPath !== undefined && typeof configPath !== "string" && typeof configPath !== "boolean") {
    fail(
      `Option "${prefix}wranglerConfigPath" must be a path or true (find wrangler.toml from the working directory), got ${typeName(configPath)}.`,
    );
  }
  if (options.script !== undefined && options.scriptPath !== undefined) {
    fail(`Options "${prefix}script" and "${prefix}scriptPath" were both given: pass one, the inline source or the path of the entry file.`);
  }

  const config = readConfig(configPath, cwd);
  const name = options.name ?? config?.name ?? (isEntry ? "" : undefined);
  if (name === undefined) fail(`${prefix.slice(0, -1)} needs a "name": workers other than the first are reached by name.`);

  if (options.durableObjects !== undefined && !isRecord(options.durableObjects)) {
    fail(`Option "${prefix}durableObjects" must be an object such as { COUNTER: "Counter" }, got ${typeName(options.durableObjects)}.`);
  }
  const durableObjects = normalizeDurableObjects({ ...config?.durableObjects, ...options.durableObjects }, prefix, name);
  if (options.modules === false) {
    fail(
      durableObjects.length > 0
        ? `Durable Objects need the modules format, but "${prefix}modules" is false. Remove \`modules: false\` and export the classes from an ES module.`
        : `durabox runs modules-format workers only ("export default { fetch }"): remove \`${prefix}modules: false\`.`,
    );
  }

  const bindings = options.bindings ?? {};
  if (!isRecord(bindings)) fail(`Option "${prefix}bindings" must be an object of name to value, got ${typeName(bindings)}.`);
  const allBindings = { ...config?.vars, ...bindings };
  for (const { binding } of durableObjects) {
    if (binding in allBindings) fail(`"${binding}" is both a Durable Object binding and a plain binding: rename one.`);
  }

  const flags = options.compatibilityFlags ?? config?.compatibilityFlags ?? [];
  if (!Array.isArray(flags) || flags.some((flag) => typeof flag !== "string")) {
    fail(`Option "${prefix}compatibilityFlags" must be an array of strings, such as ["nodejs_compat"].`);
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

  return {
    name,
    source,
    durableObjects,
    bindings: allBindings,
    compatibilityFlags: [...flags],
    compatibilityDate: options.compatibilityDate ?? config?.compatibilityDate,
    sqliteClasses: config?.sqliteClasses ?? [],
    configPersist:
      typeof config?.durableObjectsPersist === "string" && !/^[a-z][a-z0-9+.-]*:\/\//i.test(config.durableObjectsPersist)
        ? path.resolve(path.dirname(config.file), config.durableObjectsPersist)
        : config?.durableObjectsPersist,
  };
}

function readConfig(configPath: string | boolean | undefined, cwd: string): WranglerWorker | undefined {
  if (configPath === undefined || configPath === false) return undefined;
  if (configPath === true) {
    const found = findWranglerConfig(cwd);
    if (found === undefined) {
      fail(`wranglerConfigPath is true, but no wrangler.toml, wrangler.json or wrangler.jsonc was found in ${cwd} or above it.`);
    }
    return readWranglerConfig(found);
  }
  return readWranglerConfig(path.resolve(cwd, configPath));
}

function normalizeDurableObjects(value: Record<string, unknown>, prefix: string, workerName: string): NormalizedBinding[] {
  return Object.entries(value).map(([binding, entry]) => {
    if (typeof entry === "string" && entry !== "") return { binding, className: entry, scriptName: workerName };
    if (isRecord(entry) && typeof entry.className === "string" && entry.className !== "") {
      if (entry.scriptName !== undefined && typeof entry.scriptName !== "string") {
        fail(`${prefix}durableObjects.${binding}.scriptName must be a worker's name (a string), got ${typeName(entry.scriptName)}.`);
      }
      return { binding, className: entry.className, scriptName: (entry.scriptName as string | undefined) ?? workerName };
    }
    return fail(
      `${prefix}durableObjects.${binding} must be a class name ("Counter") or { className: "Counter", scriptName?: "api" }, got ${
        isRecord(entry) ? "an object without a className" : typeName(entry)
      }.`,
    );
  });
}
