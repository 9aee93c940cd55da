import { parseArgs, type ParseArgsConfig } from "node:util";
import { DuraboxError } from "../base/errors.js";
import type { DuraboxOptions } from "../options.js";
import { ALL_FLAGS, OPTION_FLAGS } from "./flags.js";
import { RUNNERS, type Runner } from "./init-project.js";

export { HELP } from "./help.js";

export interface ServeArguments {
  readonly command: "serve";
  /** The options the flags (and the script) set. */
  readonly options: DuraboxOptions;
  readonly port: number;
  readonly host: string;
}
export interface TypesArguments {
  readonly command: "types";
  readonly config: string | undefined;
  readonly out: string;
}
export interface RepairArguments {
  readonly command: "repair";
  readonly directory: string;
}
export interface InitArguments {
  readonly command: "init";
  readonly yes: boolean;
  readonly runner: Runner | undefined;
  readonly config: string | undefined;
}
export type CliArguments = ServeArguments | TypesArguments | RepairArguments | InitArguments | { readonly command: "help" | "version" };

function fail(message: string): never {
  throw new DuraboxError("ERR_OPTIONS", message);
}

function pairs(values: readonly string[], flag: string, example: string): [string, string][] {
  return values.map((value) => {
    const at = value.indexOf("=");
    if (at <= 0) fail(`${flag} expects NAME=VALUE, got "${value}" (for example ${flag} ${example}).`);
    return [value.slice(0, at), value.slice(at + 1)];
  });
}

/** A `*-persist` flag: alone it means `true` (parseCommandLine gives "true"), else its path or URL. */
const persistValue = ([value]: string[]): string | boolean => (value === "true" ? true : value!);

/** NAME or NAME=VALUE per value, as binding name to VALUE (NAME when left out). */
function nameOrPair(values: string[], flag: string, forms: string, example: string): Record<string, string> {
  return Object.fromEntries(
    values.map((value) => {
      const at = value.indexOf("=");
      const [name, target] = at < 0 ? [value, value] : [value.slice(0, at), value.slice(at + 1)];
      if (!name || !target) fail(`${flag} expects ${forms}, got "${value}" (for example ${flag} ${example}).`);
      return [name, target];
    }),
  );
}

/** How a flag's text becomes its option's value where that is not the text itself (or, for a repeatable flag, the list of texts). */
const FROM_FLAG: { readonly [K in keyof DuraboxOptions]?: (values: string[]) => DuraboxOptions[K] } = {
  durableObjects: (values) => {
    const durableObjects: NonNullable<DuraboxOptions["durableObjects"]> = {};
    for (const [name, target] of pairs(values, "--do", "COUNTER=Counter")) {
      // Class[@script][:sqlite]: neither a class nor a worker name holds "@" or ":".
      const [located = "", ...suffixes] = target.split(":");
      const [className, scriptName] = located.split("@");
      if (!className) fail(`--do ${name}= needs a class name, for example --do ${name}=Counter.`);
      if (suffixes.length > 1 || (suffixes.length === 1 && suffixes[0] !== "sqlite")) {
        fail(`--do ${name}=${target}: the only suffix is ":sqlite" (a SQLite-backed class), for example --do ${name}=${className}:sqlite.`);
      }
      durableObjects[name] = { className, ...(scriptName && { scriptName }), ...(suffixes.length === 1 && { useSQLite: true }) };
    }
    return durableObjects;
  },
  bindings: (values) => Object.fromEntries(pairs(values, "--binding", "GREETING=hello")),
  durableObjectsPersist: persistValue,
  d1Databases: (values) =>
    Object.fromEntries(values.map((value) => (value.includes("=") ? pairs([value], "--d1", "DB=app-db")[0]! : [value, value]))),
  d1Persist: persistValue,
  r2Buckets: (values) => nameOrPair(values, "--r2", "NAME or NAME=BUCKET", "BUCKET=uploads"),
  r2Persist: persistValue,
  kvNamespaces: (values) => nameOrPair(values, "--kv", "NAME or NAME=ID", "CONFIG"),
  kvPersist: persistValue,
  cachePersist: persistValue,
  queueProducers: (values) => nameOrPair(values, "--queue", "NAME or NAME=QUEUE", "JOBS=jobs"),
  queuesPersist: persistValue,
  secretsStorePersist: persistValue,
};

const PARSE_OPTIONS: NonNullable<ParseArgsConfig["options"]> = Object.fromEntries(
  ALL_FLAGS.map((flag) => [
    flag.name,
    {
      type: flag.value === undefined ? "boolean" : "string",
      ...(flag.short !== undefined && { short: flag.short }),
      multiple: !!flag.multiple,
    },
  ]),
);
/** Flags whose value may be left out (`--do-persist` alone). */
const OPTIONAL_VALUE = new Set(ALL_FLAGS.filter((flag) => flag.value?.startsWith("[")).map((flag) => `--${flag.name}`));

/** Parses the command line; throws ERR_OPTIONS with a message naming the flag. */
export function parseCommandLine(argv: readonly string[]): CliArguments {
  // A flag whose value is optional, given alone: give it an explicit one.
  const args = argv.flatMap((arg, i) =>
    OPTIONAL_VALUE.has(arg) && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("-")) ? [`${arg}=true`] : [arg],
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: PARSE_OPTIONS });
  } catch (error) {
    fail(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, ".")}`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const positionals = parsed.positionals;

  if (positionals[0] === "types") {
    if (positionals.length > 1) fail(`durabox types takes no script, got "${positionals[1]}".`);
    return {
      command: "types",
      config: values.config as string | undefined,
      out: (values.out as string | undefined) ?? "worker-configuration.d.ts",
    };
  }
  if (positionals[0] === "repair") {
    if (positionals.length !== 2) {
      fail("durabox repair takes one persistence directory, for example durabox repair ./.durabox/do.");
    }
    return { command: "repair", directory: positionals[1]! };
  }
  if (positionals[0] === "init") {
    if (positionals.length > 1) fail(`durabox init takes no script, got "${positionals[1]}".`);
    const runner = values.runner as string | undefined;
    if (runner !== undefined && !(RUNNERS as readonly string[]).includes(runner)) {
      fail(`--runner must be ${RUNNERS.join(" or ")}, got "${runner}".`);
    }
    return { command: "init", yes: values.yes === true, runner: runner as Runner | undefined, config: values.config as string | undefined };
  }
  if (values.yes !== undefined || values.runner !== undefined)
    fail(`--${values.yes !== undefined ? "yes" : "runner"} belongs to \`durabox init\`.`);
  if (positionals.length > 1) fail(`Expected at most one script, got: ${positionals.join(" ")}.`);
  if (values.out !== undefined) fail("--out belongs to `durabox types`.");

  const options: Record<string, unknown> = {};
  if (positionals[0] !== undefined) options.scriptPath = positionals[0];
  for (const { option, flag } of OPTION_FLAGS) {
    const value = values[flag.name];
    if (value === undefined) continue;
    const convert = FROM_FLAG[option] as ((values: string[]) => unknown) | undefined;
    const texts = typeof value === "boolean" ? [] : [value].flat();
    options[option] = convert !== undefined ? convert(texts) : typeof value === "boolean" || flag.multiple ? value : texts[0];
  }

  const portText = (values.port as string | undefined) ?? "8787";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${portText}".`);

  return { command: "serve", options: options as DuraboxOptions, port, host: (values.host as string | undefined) ?? "127.0.0.1" };
}
