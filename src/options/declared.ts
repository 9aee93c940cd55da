// Every option of durabox, declared once. Option types (types.ts), the
// accepted keys of `new Durabox()`, `workers[i]` and both test environments
// (names.ts), the checks of normalizeOptions (check.ts), the CLI's flags and
// their --help lines (cli/args.ts) and docs/options.md's tables
// (test/docs/options.test.ts) all come from here. Adding an option is an
// entry here plus the code that uses it. Names follow Miniflare's.
import { option, requiredOption, type OptionsOf, type OptionTable } from "./declaration.js";
import { boolean, oneOf, shape, string } from "./value-types.js";
import { isRecord } from "../base/describe.js";

const isString = (value: unknown): boolean => typeof value === "string";

/** The object form of a Durable Object binding: `durableObjects: { NAME: { className, ... } }`. */
export const durableObjectBindingOptions = {
  className: requiredOption({
    doc: "the class, as the script exports it",
    type: shape<string>("string", "a class name (a string)", (value) => typeof value === "string" && value !== ""),
    example: '"Counter"',
  }),
  scriptName: option({
    doc: "the name of the worker exporting the class (default: this worker)",
    type: shape<string>("string", "a worker's name (a string)", isString),
    example: '"api"',
  }),
  useSQLite: option({
    doc: 'whether the class is SQLite-backed (`false`: key-value); wrangler\'s `new_sqlite_classes` migrations and `exports` with `storage = "sqlite"` say so too, and every source naming the class must agree',
    type: boolean,
    example: "true",
  }),
} satisfies OptionTable;

/** The object form's fields as docs/options.md shows them: "className, scriptName?". */
const bindingFields = Object.entries(durableObjectBindingOptions as OptionTable)
  .map(([name, field]) => `${name}${field.required ? "" : "?"}`)
  .join(", ");

/** One worker's options: the entry worker's at the top level, or each of `workers`. */
export const workerOptions = {
  name: option({
    doc: "the worker's name: what `scriptName` refers to (needed for all but the first worker)",
    type: string,
    example: '"api"',
    wrangler: "name",
  }),
  modules: option({
    doc: "modules format; implied, and the only format durabox runs",
    type: boolean,
    example: "true",
    default: true,
  }),
  script: option({
    doc: "the worker's module source, inline (JavaScript or TypeScript)",
    type: string,
    example: '"export default { fetch() { ... } }"',
  }),
  scriptPath: option({
    doc: "the worker's entry file (`.js`, `.mjs`, `.ts`), bundled with esbuild: local files and npm packages resolved (with the `workerd`/`worker`/`browser` conditions), TypeScript stripped, stack traces pointing at your source lines",
    type: string,
    example: '"src/index.ts"',
    wrangler: "main",
  }),
  durableObjects: option({
    doc: "Durable Object bindings on `env`: binding name to class name, or to an object of the `durableObjects.BINDING` fields; `scriptName` uses a class exported by another worker",
    type: shape<Record<string, string | DurableObjectBindingOptions>>(
      `\`{ BINDING: "ClassName" }\` or \`{ BINDING: { ${bindingFields} } }\``,
      "an object such as {example}",
      isRecord,
    ),
    example: '{ COUNTER: "Counter" }',
    wrangler: "durable_objects.bindings",
    cli: {
      name: "do",
      short: "o",
      value: "NAME=Class[@script][:sqlite]",
      multiple: true,
      help: "bind a Durable Object class; @script names the worker exporting it, :sqlite makes the class SQLite-backed",
    },
  }),
  serviceBindings: option({
    doc: "service bindings on `env`: binding name to a worker's `name` (its default entrypoint), to `{ name, entrypoint?, props? }` (a named `WorkerEntrypoint`, and its `ctx.props`), or to a function `(request) => Response`; `fetch()` and JS RPC reach the entrypoint",
    type: shape<Record<string, ServiceBindingOptions>>(
      '`{ BINDING: "worker" }`, `{ BINDING: { name, entrypoint?, props? } }` or a function',
      "an object such as {example}",
      isRecord,
    ),
    example: '{ API: { name: "api", entrypoint: "Admin" } }',
    wrangler: "services",
  }),
  bindings: option({
    doc: "plain values on `env`",
    type: shape<Record<string, unknown>>("object", "an object of name to value", isRecord),
    example: '{ GREETING: "hello" }',
    default: {},
    wrangler: "vars",
    cli: { name: "binding", short: "b", value: "KEY=VALUE", multiple: true, help: "a plain binding on env" },
  }),
  d1Databases: option({
    doc: 'D1 database bindings on `env`: binding names (each its own database) or `{ BINDING: "database-id" }` (bindings naming one id share it); wrangler\'s `d1_databases` gives `binding` and `database_id` (else `database_name`); pass its `migrations_dir` to `readD1Migrations`',
    type: shape<string[] | Record<string, string>>(
      "`string[]` or `{ BINDING: id }`",
      "an array of binding names or an object of binding to database id, such as {example}",
      (value) =>
        (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
        (isRecord(value) && Object.values(value).every((id) => typeof id === "string" && id !== "")),
    ),
    example: '["DB"]',
    wrangler: "d1_databases",
    cli: {
      name: "d1",
      value: "NAME[=ID]",
      multiple: true,
      help: "bind a D1 database; =ID names the database (bindings with one id share it)",
    },
  }),
  r2Buckets: option({
    doc: "R2 bucket bindings on `env`: binding names (Miniflare 2's form: each bucket named as its binding), or binding name to bucket name; bindings naming the same bucket share its data",
    type: shape<string[] | Record<string, string>>(
      '`string[]` or `{ BINDING: "bucket-name" }`',
      "an array of binding names or an object of binding name to bucket name, such as {example}",
      (value) => (Array.isArray(value) && value.every(isString)) || (isRecord(value) && Object.values(value).every(isString)),
    ),
    example: '{ BUCKET: "uploads" }',
    wrangler: "r2_buckets",
    cli: { name: "r2", value: "NAME[=BUCKET]", multiple: true, help: "bind an R2 bucket on env (BUCKET defaults to NAME)" },
  }),
  compatibilityFlags: option({
    doc: "Workers compatibility flags: `nodejs_compat` gives worker code `process`, `Buffer`, `require` and `node:*` imports",
    type: shape<string[]>(
      "string[]",
      "an array of strings, such as {example}",
      (value) => Array.isArray(value) && value.every(isString),
      () => undefined,
    ),
    example: '["nodejs_compat"]',
    default: [],
    wrangler: "compatibility_flags",
    cli: { name: "compatibility-flag", value: "FLAG", multiple: true, help: "a compatibility flag, e.g. nodejs_compat" },
  }),
  compatibilityDate: option({
    doc: "the Workers compatibility date: from 2026-08-04, Node.js compatibility is on without `nodejs_compat`",
    type: string,
    example: '"2024-09-23"',
    wrangler: "compatibility_date",
    cli: { name: "compatibility-date", value: "DATE", help: "Workers compatibility date, e.g. 2024-09-23" },
  }),
  kvNamespaces: option({
    doc: "KV namespace bindings on `env`: binding names (Miniflare 2's form; each name is its namespace's id), or binding name to namespace id (Miniflare 3's); bindings naming one id share its data",
    type: shape<string[] | Record<string, string>>(
      '`["NAME"]` or `{ NAME: "namespace-id" }`',
      "an array of binding names or an object of binding name to namespace id, such as {example}",
      (value) =>
        (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
        (isRecord(value) && Object.values(value).every((id) => typeof id === "string" && id !== "")),
    ),
    example: '{ CONFIG: "config-namespace" }',
    wrangler: "kv_namespaces",
    cli: { name: "kv", short: "k", value: "NAME[=ID]", multiple: true, help: "bind a KV namespace (its id defaults to NAME)" },
  }),
  wranglerConfigPath: option({
    doc: "read `wrangler.toml`, `wrangler.json` or `wrangler.jsonc` (`true`: found from the working directory up) for the options that name a wrangler key, and `[build.upload] main/dir`, and `[[migrations]]` or `exports` (which classes are SQLite-backed); options you pass win over the file",
    type: shape<string | boolean>(
      "string or `true`",
      "a path or true (find wrangler.toml from the working directory)",
      (value) => typeof value === "string" || typeof value === "boolean",
    ),
    example: '"wrangler.toml"',
    cli: {
      name: "config",
      short: "c",
      value: "FILE",
      help: "wrangler.toml / wrangler.json(c) (default: found from the working directory)",
    },
  }),
  wranglerEnvironment: option({
    doc: "the wrangler config's `[env.<name>]` section to apply, as `wrangler --env` does: its keys over the top level's, `vars`, `durable_objects` and the KV, R2, D1 and service bindings from the section only, the name suffixed `-<name>`",
    type: string,
    example: '"staging"',
    cli: { name: "env", short: "e", value: "NAME", help: "apply the wrangler config's [env.NAME] section" },
  }),
} satisfies OptionTable;

/** A binding's persistence option: as durableObjectsPersist's. */
const persistType = shape<boolean | string>(
  "`false`, `true`, a directory, a `redis://` URL",
  "true, a directory or a redis:// URL",
  (value) => typeof value === "boolean" || (typeof value === "string" && value !== ""),
);

/** Options of the whole runtime: top level only. */
export const runtimeOptions = {
  durableObjectsPersist: option({
    doc: "where Durable Object data lives: in memory (`false`), `./.durabox/do` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: shape<boolean | string>(
      "`false`, `true`, a directory, a `redis://` URL",
      "true, a directory or a redis:// URL",
      (value) => typeof value === "boolean" || (typeof value === "string" && value !== ""),
    ),
    example: '"redis://127.0.0.1:6379/0"',
    default: false,
    wrangler: "durable_objects_persist",
    cli: {
      name: "do-persist",
      value: "[PATH|URL]",
      help: "keep Durable Object data: no value = ./.durabox/do, a directory, or redis://host:port",
    },
  }),
  d1Persist: option({
    doc: "where D1 databases live: in memory (`false`), `./.durabox/d1` (`true`), or the directory given, one SQLite file per database id",
    type: shape<boolean | string>(
      "`false`, `true`, a directory",
      "true or a directory",
      (value) => typeof value === "boolean" || (typeof value === "string" && value !== ""),
    ),
    example: '"./data/d1"',
    default: false,
    cli: { name: "d1-persist", value: "[PATH]", help: "keep D1 databases: no value = ./.durabox/d1, or a directory" },
  }),
  r2Persist: option({
    doc: "where R2 data lives: in memory (`false`), `./.durabox/r2` (`true`), the directory given (bodies streamed to files, never held whole), or Redis (`redis://`, `rediss://`)",
    type: shape<boolean | string>(
      "`false`, `true`, a directory, a `redis://` URL",
      "true, a directory or a redis:// URL",
      (value) => typeof value === "boolean" || (typeof value === "string" && value !== ""),
    ),
    example: '"./data/r2"',
    default: false,
    cli: {
      name: "r2-persist",
      value: "[PATH|URL]",
      help: "keep R2 data: no value = ./.durabox/r2, a directory, or redis://host:port",
    },
  }),
  durableObjectsAlarms: option({
    doc: "whether alarms fire by themselves at their time (`false`: only when a test runs them)",
    type: boolean,
    example: "false",
    default: true,
  }),
  verbose: option({
    doc: "log each Durable Object event (construct, fetch, RPC, alarm, eviction) to stdout, one line each",
    type: boolean,
    example: "true",
    default: false,
    cli: { name: "verbose", help: "log each Durable Object event: construct, fetch, RPC, alarm, eviction" },
  }),
  kvPersist: option({
    doc: "where KV data lives: in memory (`false`), `./.durabox/kv` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: persistType,
    example: '"./data/kv"',
    default: false,
    cli: { name: "kv-persist", value: "[PATH|URL]", help: "keep KV data: no value = ./.durabox/kv, a directory, or redis://host:port" },
  }),
  cache: option({
    doc: "whether the Cache API stores anything (`false`: `put` stores nothing and `match` finds nothing, as Miniflare 2's `cache: false`)",
    type: boolean,
    example: "false",
    default: true,
  }),
  cachePersist: option({
    doc: "where Cache API data lives: in memory (`false`), `./.durabox/cache` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: persistType,
    example: '"./data/cache"',
    default: false,
    cli: {
      name: "cache-persist",
      value: "[PATH|URL]",
      help: "keep Cache API data: no value = ./.durabox/cache, a directory, or redis://host:port",
    },
  }),
  workers: option({
    doc: "more workers, each with the per-worker options; with no script at the top level the first is the entry",
    type: shape<WorkerOptions[]>("array of worker options", "an array of worker options", Array.isArray),
    example: '[{ name: "api", scriptPath: "api/src/worker.mjs" }]',
  }),
} satisfies OptionTable;

/** Options of the test environments only (Jest's testEnvironmentOptions, Vitest's environmentOptions.durabox). */
export const testOptions = {
  isolation: option({
    doc: "`test`: storage, instances and alarms roll back after every test and describe block; `file`: only between files",
    type: oneOf("test", "file"),
    example: '"file"',
    default: "test",
  }),
  durableObjectsPersistWrites: option({
    doc: "with persistence configured, tests run on a layer above the stored data and their writes are dropped at the end; `true` keeps them",
    type: boolean,
    example: "true",
    default: false,
  }),
  // @cloudflare/vitest-plugin's `cloudflareTest(options)` shape, read as durabox's options (options/cloudflare-test.ts).
  main: option({
    doc: "the entry file, as `cloudflareTest({ main })` names it: durabox's `scriptPath`",
    type: string,
    example: '"src/index.ts"',
  }),
  wrangler: option({
    doc: "`{ configPath, environment }` as `cloudflareTest({ wrangler })` takes them: durabox's `wranglerConfigPath` and `wranglerEnvironment`",
    type: shape<{ configPath?: string; environment?: string }>(
      "`{ configPath?, environment? }`",
      'an object such as { configPath: "./wrangler.jsonc", environment: "staging" }',
      (value) =>
        isRecord(value) &&
        Object.keys(value).every((key) => key === "configPath" || key === "environment") &&
        (value.configPath === undefined || isString(value.configPath)) &&
        (value.environment === undefined || isString(value.environment)),
      (value) => (isRecord(value) ? JSON.stringify(value) : undefined),
    ),
    example: '{ configPath: "./wrangler.jsonc" }',
  }),
  miniflare: option({
    doc: "Miniflare's options as `cloudflareTest({ miniflare })` takes them (`bindings`, `durableObjects`, `compatibilityDate`, `compatibilityFlags`, `workers`, ...): each is durabox's option of that name, over the wrangler config",
    type: shape<Record<string, unknown>>("object", "an object of Miniflare (durabox) options, such as {example}", isRecord),
    example: '{ bindings: { API_URL: "http://test" } }',
  }),
} satisfies OptionTable;

// The two recursive option types live beside their tables (the tables refer to them).

/** A Durable Object binding's object form: a class, of this worker or of the worker `scriptName` names. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DurableObjectBindingOptions extends OptionsOf<typeof durableObjectBindingOptions> {}

/** A service binding: a worker's name, its entrypoint and props, or a function answering fetch(). */
export type ServiceBindingOptions =
  string | { name: string; entrypoint?: string; props?: Record<string, unknown> } | ((request: Request) => Response | Promise<Response>);

/** One worker's options; names follow Miniflare's. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WorkerOptions extends OptionsOf<typeof workerOptions> {}
