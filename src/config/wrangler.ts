import { existsSync, readFileSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { nodeRequire } from "../base/node-require.js";
import { readDevVars, type DevVars } from "./dev-vars.js";
import { readDurableObjectClasses, type DeclaredClasses } from "./durable-object-classes.js";
import { configValues, isTable, kind, type ConfigValues, type Table } from "./values.js";
import { parseJsonc } from "./jsonc.js";
import { BINDING_DECLARATIONS, BINDING_KINDS, type ConfigBindings } from "../options/bindings/table.js";
import { readQueueConsumers, type NormalizedQueueConsumer } from "../options/queue-consumers.js";

// Parsers load on first use: a runtime without a config file never pays for them.
type Toml = typeof import("smol-toml");

/** What durabox takes from a wrangler config: one worker's settings. */
export interface WranglerWorker {
  readonly file: string;
  readonly name?: string;
  /** The entry file, absolute. */
  readonly scriptPath?: string;
  /** Its bindings, kind by kind (each kind's reader: options/bindings/), by binding name. */
  readonly bindings: ConfigBindings;
  /** The queues its worker consumes (`queues.consumers`), by queue name. */
  readonly queueConsumers: Readonly<Record<string, NormalizedQueueConsumer>>;
  /** The local secrets beside it (`.dev.vars`, else `.env` files): on env over `vars`. */
  readonly devVars: DevVars;
  readonly compatibilityDate?: string;
  readonly compatibilityFlags?: string[];
  /** The Durable Object classes `[[migrations]]` or `exports` declare, as the config leaves them. */
  readonly classes: DeclaredClasses;
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

/** Keys each `[env.<name>]` section must give itself: wrangler does not inherit bindings from the top level. */
const NOT_INHERITED = BINDING_KINDS.map((kind) => BINDING_DECLARATIONS[kind].wrangler.section);

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

  const bindings = Object.fromEntries(
    BINDING_KINDS.map((kind) => [kind, BINDING_DECLARATIONS[kind].wrangler.read(config, values, directory)]),
  ) as unknown as ConfigBindings;
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
    bindings,
    queueConsumers: readQueueConsumers(config, values),
    devVars: readDevVars(directory, environment),
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
  const value = parseJsonc(text, (message) => values.fail(message));
  if (!isTable(value)) values.fail(`the config must be an object, got ${kind(value)}.`);
  return value;
}
