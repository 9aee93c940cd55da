import { parseArgs } from "node:util";
import { DuraboxError } from "../errors.js";

export interface ServeArguments {
  readonly command: "serve";
  readonly script: string | undefined;
  readonly durableObjects: Record<string, { className: string; scriptName?: string }>;
  readonly persist: string | true | undefined;
  readonly port: number;
  readonly host: string;
  readonly config: string | undefined;
  readonly bindings: Record<string, string>;
  readonly compatibilityDate: string | undefined;
  readonly compatibilityFlags: string[];
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
export type CliArguments = ServeArguments | TypesArguments | RepairArguments | { readonly command: "help" | "version" };

export const HELP = `durabox: serve a Cloudflare Worker and its Durable Objects locally, in Node.js

Usage:
  durabox [script] [options]       serve the worker over HTTP
  durabox types [--config FILE] [--out FILE]
                                   write a .d.ts with the Env of the config's bindings
  durabox repair DIR               recover a persistence directory whose logs are damaged
                                   (ERR_STORAGE_CORRUPT): keeps every whole record, moves
                                   each damaged log aside as log.corrupt-<time>

Options:
  -o, --do NAME=Class[@script]     bind a Durable Object class (repeatable); @script names
                                   the worker exporting it
      --do-persist [PATH|URL]      keep Durable Object data: no value = ./.durabox/do,
                                   a directory, or redis://host:port
  -p, --port PORT                  port to listen on (default 8787; 0 picks a free one)
      --host HOST                  address to bind (default 127.0.0.1)
  -c, --config FILE                wrangler.toml / wrangler.json(c) (default: found from
                                   the working directory)
  -b, --binding KEY=VALUE          a plain binding on env (repeatable)
      --compatibility-date DATE    Workers compatibility date, e.g. 2024-09-23
      --compatibility-flag FLAG    a compatibility flag, e.g. nodejs_compat (repeatable)
  -h, --help                       show this help
  -v, --version                    show the version

Examples:
  durabox src/index.ts --do COUNTER=Counter --port 8787
  durabox --config wrangler.toml --do-persist ./data
  durabox worker.mjs -o API=Api@api -b GREETING=hello --do-persist redis://127.0.0.1:6379
  durabox types --config wrangler.toml --out worker-configuration.d.ts
  durabox repair ./.durabox/do
`;

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

/** Parses the command line; throws ERR_OPTIONS with a message naming the flag. */
export function parseCommandLine(argv: readonly string[]): CliArguments {
  // --do-persist takes an optional value: give the bare flag an explicit one.
  const args = argv.flatMap((arg, i) =>
    arg === "--do-persist" && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("-")) ? ["--do-persist=true"] : [arg],
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        do: { type: "string", short: "o", multiple: true },
        "do-persist": { type: "string" },
        port: { type: "string", short: "p" },
        host: { type: "string" },
        config: { type: "string", short: "c" },
        binding: { type: "string", short: "b", multiple: true },
        "compatibility-date": { type: "string" },
        "compatibility-flag": { type: "string", multiple: true },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
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
  if (positionals.length > 1) fail(`Expected at most one script, got: ${positionals.join(" ")}.`);
  if (values.out !== undefined) fail("--out belongs to `durabox types`.");

  const durableObjects: ServeArguments["durableObjects"] = {};
  for (const [name, target] of pairs((values.do as string[] | undefined) ?? [], "--do", "COUNTER=Counter")) {
    const [className, scriptName] = target.split("@");
    if (!className) fail(`--do ${name}= needs a class name, for example --do ${name}=Counter.`);
    durableObjects[name] = scriptName ? { className, scriptName } : { className };
  }

  const portText = (values.port as string | undefined) ?? "8787";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a whole number from 0 to 65535, got "${portText}".`);

  const persist = values["do-persist"] as string | undefined;
  return {
    command: "serve",
    script: positionals[0],
    durableObjects,
    persist: persist === "true" ? true : persist,
    port,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    config: values.config as string | undefined,
    bindings: Object.fromEntries(pairs((values.binding as string[] | undefined) ?? [], "--binding", "GREETING=hello")),
    compatibilityDate: values["compatibility-date"] as string | undefined,
    compatibilityFlags: (values["compatibility-flag"] as string[] | undefined) ?? [],
  };
}
