import { existsSync, readFileSync } from "node:fs";
import * as path from "../base/path.js";
import type { ParseError } from "jsonc-parser";
import { DuraboxError } from "../base/errors.js";
import { nodeRequire } from "../base/node-require.js";

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
  /** Classes whose migrations declare SQLite-backed storage. */
  readonly sqliteClasses: string[];
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

function fail(file: string, message: string): never {
  throw new DuraboxError("ERR_OPTIONS", `${file}: ${message}`);
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table => typeof value === "object" && value !== null && !Array.isArray(value);

function kind(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (isTable(value)) return "a table";
  return `a ${typeof value}`;
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

  const string = (key: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string") fail(absolute, `"${key}" must be a string, got ${kind(value)}.`);
    return value;
  };
  const table = (key: string, value: unknown): Table | undefined => {
    if (value === undefined) return undefined;
    if (!isTable(value)) fail(absolute, `"${key}" must be a table (an object), got ${kind(value)}.`);
    return value;
  };
  const array = (key: string, value: unknown): unknown[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) fail(absolute, `"${key}" must be an array, got ${kind(value)}.`);
    return value;
  };

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
    if (!isTable(entry))
      fail(absolute, `"${where}" must be a table like { name = "COUNTER", class_name = "Counter" }, got ${kind(entry)}.`);
    const binding = string(`${where}.name`, entry.name);
    const className = string(`${where}.class_name`, entry.class_name);
    if (binding === undefined || className === undefined) {
      fail(absolute, `"${where}" needs both name and class_name, like { name = "COUNTER", class_name = "Counter" }.`);
    }
    const scriptName = string(`${where}.script_name`, entry.script_name);
    durableObjects[binding] = scriptName === undefined ? { className } : { className, scriptName };
  });

  const vars = table("vars", config.vars) ?? {};
  const compatibilityDate = string("compatibility_date", config.compatibility_date);
  const flags = array("compatibility_flags", config.compatibility_flags);
  flags?.forEach((flag, i) => string(`compatibility_flags[${i}]`, flag));

  const sqliteClasses: string[] = [];
  (array("migrations", config.migrations) ?? []).forEach((migration, i) => {
    if (!isTable(migration)) fail(absolute, `"migrations[${i}]" must be a table, got ${kind(migration)}.`);
    const added = array(`migrations[${i}].new_sqlite_classes`, migration.new_sqlite_classes) ?? [];
    added.forEach((className, j) => sqliteClasses.push(string(`migrations[${i}].new_sqlite_classes[${j}]`, className)!));
    (array(`migrations[${i}].new_classes`, migration.new_classes) ?? []).forEach((className, j) =>
      string(`migrations[${i}].new_classes[${j}]`, className),
    );
  });

  const persistValue = config.durable_objects_persist ?? table("miniflare", config.miniflare)?.durable_objects_persist;
  if (persistValue !== undefined && typeof persistValue !== "boolean" && typeof persistValue !== "string") {
    fail(absolute, `"durable_objects_persist" must be true, a directory or a redis:// URL, got ${kind(persistValue)}.`);
  }

  return {
    file: absolute,
    ...(name !== undefined && { name }),
    ...(scriptPath !== undefined && { scriptPath }),
    durableObjects,
    vars,
    ...(compatibilityDate !== undefined && { compatibilityDate }),
    ...(flags !== undefined && { compatibilityFlags: flags as string[] }),
    sqliteClasses,
    ...(persistValue !== undefined && { durableObjectsPersist: persistValue }),
  };
}

function parseConfig(file: string, text: string): Table {
  if (file.endsWith(".toml")) {
    try {
      return (nodeRequire("smol-toml") as Toml).parse(text) as Table;
    } catch (error) {
      fail(file, `not valid TOML: ${(error as Error).message}`);
    }
  }
  const { parse: parseJsonc, printParseErrorCode } = nodeRequire("jsonc-parser") as Jsonc;
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const line = text.slice(0, first.offset).split("\n").length;
    fail(file, `not valid JSON: ${printParseErrorCode(first.error)} at line ${line}.`);
  }
  if (!isTable(value)) fail(file, `the config must be an object, got ${kind(value)}.`);
  return value;
}
