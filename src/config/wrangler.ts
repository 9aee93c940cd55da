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
  /** `[[services]]`: binding name to the worker (and entrypoint, props) it reaches. */
  readonly services: Record<string, { name: string; entrypoint?: string; props?: Record<string, unknown> }>;
  readonly compatibilityDate?: string;
  readonly compatibilityFlags?: string[];
  /** The Durable Object classes `[[migrations]]` or `exports` declare, as the config leaves them. */
  readonly classes: DeclaredClasses;
  /** `d1_databases`: binding to database id (`database_id`, else `database_name`, else the binding) and `migrations_dir`, absolute. */
  readonly d1Databases: Record<string, { databaseId: string; migrationsDir?: string }>;
  /** `r2_buckets`: binding name to bucket name. */
  readonly r2Buckets: Record<string, string>;
  /** `kv_namespaces`: binding name to namespace id. */
  readonly kvNamespaces: Record<string, string>;
  /** `durable_objects_persist` (top level, or under [miniflare] as Miniflare 2 read it). */
  readonly durableObjectsPersist?: boolean | string;
}

const CONFIG_NAMES = ["wrangler.toml", "wrangler.json", "wrangler.jsonc"] as const;

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

/** Keys each `[env.<name>]` section must give itself: wrangler does not inherit them from the top level. */
const NOT_INHERITED = ["vars", "durable_objects", "services", "kv_namespaces", "r2_buckets", "d1_databases"] as const;

/**
 * The config as `wrangler --env <name>` sees it: the section's keys over the
 * top level's, except the bindings wrangler never inherits, and the name
 * suffixed with the environment's (wrangler's default).
 */
function environmentView(config: Table, environment: string, values: ConfigValues): Table {
  const sections = isTable(config.env) ? config.env : {};
  const section = sections[environment];
  if (!isTable(section)) {
    const names = Object.keys(sections);
    values.fail(
      `there is no [env.${environment}] section: ` +
        (names.length > 0 ? `its environments are ${names.map((n) => `"${n}"`).join(", ")}.` : "it declares no environments."),
    );
  }
  const inherited: Table = { ...config };
  delete inherited.env;
  for (const key of NOT_INHERITED) delete inherited[key];
  const name = section.name ?? (typeof config.name === "string" ? `${config.name}-${environment}` : undefined);
  return { ...inherited, ...section, ...(name !== undefined && { name }) };
}

/** Reads the config; unknown keys are ignored, known keys of the wrong type are errors naming key and file. */
export function readWranglerConfig(file: string, environment?: string): WranglerWorker {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new DuraboxError("ERR_OPTIONS", `Cannot read the wrangler config ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  const directory = path.dirname(absolute);
  const values: ConfigValues = configValues(absolute);
  const parsed = parseConfig(absolute, text);
  const config = environment === undefined ? parsed : environmentView(parsed, environment, values);
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

  const services: WranglerWorker["services"] = {};
  (array("services", config.services) ?? []).forEach((entry, i) => {
    const where = `services[${i}]`;
    if (!isTable(entry)) values.fail(`"${where}" must be a table like { binding = "API", service = "api" }, got ${kind(entry)}.`);
    const binding = string(`${where}.binding`, entry.binding);
    const service = string(`${where}.service`, entry.service);
    if (binding === undefined || service === undefined) {
      values.fail(`"${where}" needs both binding and service, like { binding = "API", service = "api", entrypoint = "Admin" }.`);
    }
    const entrypoint = string(`${where}.entrypoint`, entry.entrypoint);
    const props = table(`${where}.props`, entry.props);
    services[binding] = { name: service, ...(entrypoint !== undefined && { entrypoint }), ...(props !== undefined && { props }) };
  });

  const d1Databases: WranglerWorker["d1Databases"] = {};
  (array("d1_databases", config.d1_databases) ?? []).forEach((entry, i) => {
    const where = `d1_databases[${i}]`;
    if (!isTable(entry))
      values.fail(`"${where}" must be a table like { binding = "DB", database_name = "app", database_id = "…" }, got ${kind(entry)}.`);
    const binding = string(`${where}.binding`, entry.binding);
    if (binding === undefined)
      values.fail(`"${where}" needs a binding, like { binding = "DB", database_name = "app", database_id = "…" }.`);
    const databaseId =
      string(`${where}.database_id`, entry.database_id) ?? string(`${where}.database_name`, entry.database_name) ?? binding;
    const migrationsDir = string(`${where}.migrations_dir`, entry.migrations_dir);
    d1Databases[binding] =
      migrationsDir === undefined ? { databaseId } : { databaseId, migrationsDir: path.resolve(directory, migrationsDir) };
  });

  const r2Buckets: Record<string, string> = {};
  (array("r2_buckets", config.r2_buckets) ?? []).forEach((entry, i) => {
    const where = `r2_buckets[${i}]`;
    if (!isTable(entry))
      values.fail(`"${where}" must be a table like { binding = "BUCKET", bucket_name = "uploads" }, got ${kind(entry)}.`);
    const binding = string(`${where}.binding`, entry.binding);
    if (binding === undefined) values.fail(`"${where}" needs a binding, like { binding = "BUCKET", bucket_name = "uploads" }.`);
    r2Buckets[binding] = string(`${where}.bucket_name`, entry.bucket_name) ?? binding;
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
    d1Databases,
    r2Buckets,
    kvNamespaces,
    vars,
    services,
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
