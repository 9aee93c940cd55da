import path from "node:path";
import { DuraboxError } from "./errors.js";

/** A Durable Object binding: a class name, or the class of another worker. */
export interface DurableObjectBindingOptions {
  className: string;
  scriptName?: string;
}

/** The options of `new Durabox(...)`; names follow Miniflare 2's. */
export interface DuraboxOptions {
  /** The worker's name (what other workers' `scriptName` refer to). */
  name?: string;
  /** Modules format; implied by durableObjects, and the only format supported. */
  modules?: boolean;
  /** The worker's module source, inline. */
  script?: string;
  /** The worker's entry file (.js, .mjs, .ts), bundled with esbuild. */
  scriptPath?: string;
  /** Binding name to the class name exported by the script (or `{ className, scriptName }`). */
  durableObjects?: Record<string, string | DurableObjectBindingOptions>;
  /** Whether alarms fire by themselves at their time (default true). */
  durableObjectsAlarms?: boolean;
  /** Plain bindings on `env`: strings, numbers, objects. */
  bindings?: Record<string, unknown>;
  /** Workers compatibility flags; `nodejs_compat` exposes Node's built-ins. */
  compatibilityFlags?: string[];
  /** Workers compatibility date, recorded for the worker. */
  compatibilityDate?: string;
}

export interface NormalizedBinding {
  readonly binding: string;
  readonly className: string;
  /** The worker exporting the class; undefined for this worker. */
  readonly scriptName: string | undefined;
}

export interface NormalizedOptions {
  readonly name: string;
  readonly source:
    | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
    | { readonly kind: "path"; readonly path: string }
    | undefined;
  readonly durableObjects: readonly NormalizedBinding[];
  readonly automaticAlarms: boolean;
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly compatibilityFlags: readonly string[];
  readonly compatibilityDate: string | undefined;
}

const KNOWN: readonly (keyof DuraboxOptions)[] = [
  "name",
  "modules",
  "script",
  "scriptPath",
  "durableObjects",
  "durableObjectsAlarms",
  "bindings",
  "compatibilityFlags",
  "compatibilityDate",
];

function fail(message: string): never {
  throw new DuraboxError("ERR_OPTIONS", message);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function expect(value: unknown, type: "string" | "boolean", option: string, example: string): void {
  if (value !== undefined && typeof value !== type) {
    fail(`Option "${option}" must be a ${type} (for example ${example}), got ${typeName(value)}.`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates options once, at the edge, into the normalised shape everything
 * deeper relies on: nothing below re-checks or re-defaults them.
 */
export function normalizeOptions(options: DuraboxOptions, cwd = process.cwd()): NormalizedOptions {
  if (!isRecord(options as unknown)) fail(`Durabox options must be an object, got ${typeName(options)}.`);
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      fail(`Unknown option "${key}". Supported options: ${KNOWN.join(", ")}.`);
    }
  }
  expect(options.name, "string", "name", '"api"');
  expect(options.modules, "boolean", "modules", "true");
  expect(options.script, "string", "script", '"export default { fetch() { ... } }"');
  expect(options.scriptPath, "string", "scriptPath", '"src/index.ts"');
  expect(options.durableObjectsAlarms, "boolean", "durableObjectsAlarms", "false");
  expect(options.compatibilityDate, "string", "compatibilityDate", '"2024-09-23"');
  if (options.script !== undefined && options.scriptPath !== undefined) {
    fail('Options "script" and "scriptPath" were both given: pass one, the inline source or the path of the entry file.');
  }

  const durableObjects = normalizeDurableObjects(options.durableObjects);
  if (options.modules === false && durableObjects.length > 0) {
    fail(
      'Durable Objects need the modules format, but "modules" is false. Remove `modules: false` and export the classes from an ES module.',
    );
  }
  if (options.modules === false) {
    fail('durabox runs modules-format workers only ("export default { fetch }"): remove `modules: false`.');
  }

  const bindings = options.bindings ?? {};
  if (!isRecord(bindings)) fail(`Option "bindings" must be an object of name to value, got ${typeName(bindings)}.`);
  for (const { binding } of durableObjects) {
    if (binding in bindings) fail(`"${binding}" is both a Durable Object binding and a plain binding: rename one.`);
  }

  const flags = options.compatibilityFlags ?? [];
  if (!Array.isArray(flags) || flags.some((flag) => typeof flag !== "string")) {
    fail('Option "compatibilityFlags" must be an array of strings, such as ["nodejs_compat"].');
  }

  const name = options.name ?? "";
  let source: NormalizedOptions["source"];
  if (options.script !== undefined) {
    source = { kind: "script", code: options.script, resolveDir: cwd, filename: path.join(cwd, "<script>.mjs") };
  } else if (options.scriptPath !== undefined) {
    source = { kind: "path", path: path.resolve(cwd, options.scriptPath) };
  }
  if (source === undefined && durableObjects.some((d) => d.scriptName === undefined)) {
    fail('Durable Object bindings name classes of this worker, but it has no code: pass "script" or "scriptPath".');
  }

  return {
    name,
    source,
    durableObjects,
    automaticAlarms: options.durableObjectsAlarms ?? true,
    bindings: { ...bindings },
    compatibilityFlags: [...flags],
    compatibilityDate: options.compatibilityDate,
  };
}

function normalizeDurableObjects(value: unknown): NormalizedBinding[] {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    fail(`Option "durableObjects" must be an object such as { COUNTER: "Counter" }, got ${typeName(value)}.`);
  }
  return Object.entries(value).map(([binding, entry]) => {
    if (typeof entry === "string" && entry !== "") return { binding, className: entry, scriptName: undefined };
    if (isRecord(entry) && typeof entry.className === "string" && entry.className !== "") {
      if (entry.scriptName !== undefined && typeof entry.scriptName !== "string") {
        fail(`durableObjects.${binding}.scriptName must be a worker's name (a string), got ${typeName(entry.scriptName)}.`);
      }
      return { binding, className: entry.className, scriptName: entry.scriptName as string | undefined };
    }
    return fail(
      `durableObjects.${binding} must be a class name ("Counter") or { className: "Counter", scriptName?: "api" }, got ${
        isRecord(entry) ? "an object without a className" : typeName(entry)
      }.`,
    );
  });
}
