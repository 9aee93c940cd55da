import { existsSync, readFileSync } from "node:fs";
import * as path from "../base/path.js";
import type { ParseError } from "jsonc-parser";
import { DuraboxError } from "../base/errors.js";
import { nodeRequire } from "../base/node-require.js";
import { readDurableObjectClasses, type DeclaredClasses } from "./durable-object-classes.js";
import { configValues, isTable, kind, type ConfigValues, type Table } from "./values.js";

// Parsers load on first use: a runtime without a config file never pays for them.
type Toml = typeof import("smol-toml");
type Jsonc = typeof import("jsonc-parser");

/** What durabox takes from a wrangler config: one worker's settings. */
export interface WranglerWorker {
  readonly file: string;
  readonly name?: string;
  /** The entry file, absolute. */
  readonly scriptPath?: string;
  readonly durableObjects: Record<string, { className: string; scriptName?: string }>;
  readonly vars: Record<string, unknown>;
  readonly compatibilityDate?: string;
  readonly compatibilityFlags?: string[];
  /** The Durable Object classes `[[migrations]]` or `exports` declare, as the config leaves them. */
  readonly classes: DeclaredClasses;
  /** `kv_namespaces`: binding name to namespace id. */
  readonly kvNamespaces: Record<string, string>;
  /** `durable_objects_persist` (top level, or under [miniflare] as Miniflare 2 read it). */
  readonly durableObjectsPersist?: boolean | string;
}

export const CONFIG_NAMES = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"] as const;

/** The first wrangler config in `directory` or above it, or undefined. */
export function findWranglerConfig(directory: string): string | undefined {
  let current = path.resolve(directory);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Reads the config; unknown keys are ignored, known keys of the wrong type are errors naming key and file. */
export function readWranglerConfig(file: string): WranglerWorker {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new DuraboxError("ERR_OPTIONS", `Cannot read the wrangler config ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  const config = parseConfig(absolute, text);
  const directory = path.dirname(absolute);
  const values: ConfigValues = configValues(absolute);
  const { string, table, array } = values;

  const name = string("name", config.name);
  let scriptPath: string | undefined;
  const main = string("main", config.main);
  if (main !== undefined) scriptPath = path.resolve(directory, main);
  // Legacy: [build.upload] main, relative to [build.upload] dir.
  const upload = table("build.upload", table("build", config.build)?.upload);
  if (scriptPath === undefined && upload !== undefined) {
    const uploadMain = string("build.upload.main", upload.main);
    const uploadDir = string("build.upload.dir", upload.dir) ?? "dist";
    if (uploadMain !== undefined) scriptPath = path.resolve(directory, uploadDir, uploadMain);
  }

  const durableObjects: Record<string, { className: string; scriptName?: string }> = {};
  const bindings = array("durable_objects.bindings", table("durable_objects", config.durable_objects)?.bindings) ?? [];
  bindings.forEach((entry, i) => {
    const where = `durable_objects.bindings[${i}]`;
    if (!isTable(entry)) values.fail(`"${where}" must be a table like { name = "COUNTER", class_name = "Counter" }, got ${kind(entry)}.`);
    const binding = string(`${where}.name`, entry.name);
    const className = string(`${where}.class_name`, entry.class_name);
    if (binding === undefined || className === undefined) {
      values.fail(`"${where}" needs both name and class_name, like { name = "COUNTER", class_name = "Counter" }.`);
    }
    const scriptName = string(`${where}.script_name`, entry.script_name);
    durableObjects[binding] = scriptName === undefined ? { className } : { className, scriptName };
  });

  const kvNamespaces: Record<string, string> = {};
  (array("kv_namespaces", config.kv_namespaces) ?? []).forEach((entry, i) => {
    const where = `kv_namespaces[${i}]`;
    if (!isTable(entry)) values.fail(`"${where}" must be a table like { binding = "CONFIG", id = "<namespace id>" }, got ${kind(entry)}.`);
    const binding = string(`${where}.binding`, entry.binding);
    if (binding === undefined) values.fail(`"${where}" needs a binding, like { binding = "CONFIG", id = "<namespace id>" }.`);
    // Locally the id only tells namespaces apart: without one (wrangler dev allows it), the binding name serves.
    kvNamespaces[binding] = string(`${where}.id`, entry.id) ?? binding;
  });

  const vars = table("vars", config.vars) ?? {};
  const compatibilityDate = string("compatibility_date", config.compatibility_date);
  const flags = array("compatibility_flags", config.compatibility_flags);
  flags?.forEach((flag, i) => string(`compatibility_flags[${i}]`, flag));

  const classes = readDurableObjectClasses(config, values);

  const persistValue = config.durable_objects_persist ?? table("miniflare", config.miniflare)?.durable_objects_persist;
  if (persistValue !== undefined && typeof persistValue !== "boolean" && typeof persistValue !== "string") {
    values.fail(`"durable_objects_persist" must be true, a directory or a redis:// URL, got ${kind(persistValue)}.`);
  }

  return {
    file: absolute,
    ...(name !== undefined && { name }),
    ...(scriptPath !== undefined && { scriptPath }),
    durableObjects,
    kvNamespaces,
    vars,
    ...(compatibilityDate !== undefined && { compatibilityDate }),
    ...(flags !== undefined && { compatibilityFlags: flags as string[] }),
    classes,
    ...(persistValue !== undefined && { durableObjectsPersist: persistValue }),
  };
}

function parseConfig(file: string, text: string): Table {
  const values: ConfigValues = configValues(file);
  if (file.endsWith(".toml")) {
    try {
      return (nodeRequire("smol-toml") as Toml).parse(text) as Table;
    } catch (error) {
      values.fail(`not valid TOML: ${(error as Error).message}`);
    }
  }
  const { parse: parseJsonc, printParseErrorCode } = nodeRequire("jsonc-parser") as Jsonc;
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const line = text.slice(0, first.offset).split("\n").length;
    values.fail(`not valid JSON: ${printParseErrorCode(first.error)} at line ${line}.`);
  }
  if (!isTable(value)) values.fail(`the config must be an object, got ${kind(value)}.`);
  return value;
}
