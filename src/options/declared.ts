// Every option of durabox, declared once. Option types (types.ts), the
// accepted keys of `new Durabox()`, `workers[i]` and both test environments
// (names.ts), the checks of normalizeOptions (check.ts), the CLI's flags and
// their --help lines (cli/args.ts) and docs/options.md's tables
// (test/docs/options.test.ts) all come from here. A binding kind's option
// is declared with its kind (bindings/) and listed here. Names follow Miniflare's.
import { option, type OptionsOf, type OptionTable } from "./declaration.js";
import { durableObjectBindings } from "./bindings/durable-objects.js";
import { serviceBindings } from "./bindings/services.js";
import { d1Databases } from "./bindings/d1-databases.js";
import { r2Buckets } from "./bindings/r2-buckets.js";
import { kvNamespaces } from "./bindings/kv-namespaces.js";
import { vars } from "./bindings/vars.js";
import { queueProducers } from "./bindings/queue-producers.js";
import { secretsStoreSecrets } from "./bindings/secrets-store-secrets.js";
import { rateLimits } from "./bindings/rate-limits.js";
import { workflows } from "./bindings/workflows.js";
import { queueConsumersOption } from "./queue-consumers.js";
import { boolean, shape, string } from "./value-types.js";

export { durableObjectBindingOptions, type DurableObjectBindingOptions } from "./bindings/durable-objects.js";
export type { ServiceBindingOptions } from "./bindings/services.js";
export { testOptions } from "./test-options.js";

const isString = (value: unknown): boolean => typeof value === "string";

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
  durableObjects: durableObjectBindings.declaration,
  serviceBindings: serviceBindings.declaration,
  bindings: vars.declaration,
  d1Databases: d1Databases.declaration,
  r2Buckets: r2Buckets.declaration,
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
  kvNamespaces: kvNamespaces.declaration,
  queueProducers: queueProducers.declaration,
  queueConsumers: queueConsumersOption,
  secretsStoreSecrets: secretsStoreSecrets.declaration,
  ratelimits: rateLimits.declaration,
  workflows: workflows.declaration,
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
  queuesPersist: option({
    doc: "where queued messages live (sent, not yet acknowledged): in memory (`false`), `./.durabox/queues` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: persistType,
    example: '"./data/queues"',
    default: false,
    cli: {
      name: "queues-persist",
      value: "[PATH|URL]",
      help: "keep queued messages: no value = ./.durabox/queues, a directory, or redis://host:port",
    },
  }),
  secretsStorePersist: option({
    doc: "where Secrets Store secrets live (what `adminSecretsStore()` wrote): in memory (`false`), `./.durabox/secrets-store` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: persistType,
    example: '"./data/secrets-store"',
    default: false,
    cli: {
      name: "secrets-store-persist",
      value: "[PATH|URL]",
      help: "keep Secrets Store secrets: no value = ./.durabox/secrets-store, a directory, or redis://host:port",
    },
  }),
  workflowsPersist: option({
    doc: "where Workflow instances live (their params, status, output and cached step results): in memory (`false`), `./.durabox/workflows` (`true`), the directory given, or Redis (`redis://`, `rediss://`)",
    type: persistType,
    example: '"./data/workflows"',
    default: false,
    cli: {
      name: "workflows-persist",
      value: "[PATH|URL]",
      help: "keep Workflow instances: no value = ./.durabox/workflows, a directory, or redis://host:port",
    },
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

/** One worker's options; names follow Miniflare's. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface WorkerOptions extends OptionsOf<typeof workerOptions> {}
