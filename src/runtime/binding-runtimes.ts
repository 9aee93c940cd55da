// What runs each kind of binding, one entry per kind: the value on env, its
// line in the CLI's start-up banner, and its type in `durabox types`. A
// `Record<BindingKind, ...>`: a kind declared in options/bindings/table.ts
// without an entry here does not compile, nor does an entry without a declaration.
import * as path from "../base/path.js";
import type { IsolatedState } from "../base/isolated-state.js";
import { D1Database } from "../bindings/d1/database.js";
import { d1Location, D1Store } from "../bindings/d1/store.js";
import { R2Bucket } from "../bindings/r2/bucket.js";
import { R2Storage } from "../bindings/r2/r2-storage.js";
import { BindingData } from "../bindings/binding-data.js";
import { KVNamespace } from "../bindings/kv/namespace.js";
import { QueueBroker } from "../bindings/queues/broker.js";
import { queueConsumers } from "../bindings/queues/consumers.js";
import { Queue } from "../bindings/queues/producer.js";
import { SecretsStoreSecret } from "../bindings/secrets-store/secret.js";
import { RateLimitCounters } from "../bindings/ratelimit/counters.js";
import { RateLimit } from "../bindings/ratelimit/limiter.js";
import { realmClock } from "../base/realm-clock.js";
import { Workflow } from "../bindings/workflows/binding.js";
import { WorkflowEngine } from "../bindings/workflows/engine.js";
import type { DurableObjectNamespace } from "../objects/namespace.js";
import type { StorageBackend } from "../storage/backend.js";
import type { LoadedWorker } from "../worker/worker.js";
import { serviceBinding } from "../worker/service-binding.js";
import { rpcCompatibility, type RpcCompatibility } from "../rpc/compatibility.js";
import type { BINDING_DECLARATIONS, BindingKind, BindingOf, ConfigOf } from "../options/bindings/table.js";
import type { BindingDeclaration } from "../options/bindings/kind.js";
import type { NormalizedOptions, NormalizedPersistence, NormalizedWorker } from "../options.js";

/** What a binding is made with: the runtime's shared parts. */
export interface BindingHost {
  readonly options: NormalizedOptions;
  /** One value per key and runtime (a D1 store per database id, the R2 storage), made on first use. */
  shared<T>(key: string, make: () => T): T;
  /** Registers data that rolls back with each test scope, is deleted by reset() and released by dispose(). */
  isolate<T extends IsolatedState>(state: T): T;
  /** The storage backend of a persistence option: a directory or Redis named by several options is opened once. */
  backend(persistence: NormalizedPersistence): StorageBackend;
  /** A namespace of worker `scriptName`'s class `className` (defined once). */
  defineClass(scriptName: string, className: string): DurableObjectNamespace;
  /** The loaded worker a service binding reaches (waits for loading). */
  serving(name: string): LoadedWorker | Promise<LoadedWorker>;
}

/** What the banner's describer knows besides the binding: its worker and where data lives. */
export interface DescribeContext {
  readonly worker: NormalizedWorker;
  readonly persistence: NormalizedPersistence;
  readonly cwd: string;
}

/** What `durabox types` knows besides an entry: the config's worker name and entry file, and the file it writes. */
export interface TypesContext {
  readonly workerName: string | undefined;
  readonly scriptPath: string | undefined;
  readonly outFile: string;
}

/** How `get<Binding>()` names a kind when a binding of it is missing. */
export interface MissingBinding {
  readonly noun: string;
  readonly listed: string;
  readonly none: string;
}

/** What runs bindings of one kind: `Binding` is one normalised binding, `Config` one wrangler entry (its declaration's types). */
export interface RuntimeEntry<Binding, Config> {
  /** The value on env. */
  create(binding: Binding, host: BindingHost): unknown;
  /** The banner's words for it: "KV namespace config-namespace". */
  describe(binding: Binding, context: DescribeContext): string;
  /** Its TypeScript type in the generated `Env`, from the wrangler config's entry. */
  envType(name: string, entry: Config, context: TypesContext): string;
  /** For the kinds a `get<Binding>()` method reads. */
  readonly missing?: MissingBinding;
}

/** The runtime entry a binding declaration needs. */
export type RuntimeEntryOf<D> = D extends BindingDeclaration<infer _O, infer C, infer B> ? RuntimeEntry<B, C> : never;

/** A runtime table for a declaration table: one entry per declared kind, no more, no less. */
export type RuntimeTable<Declarations> = { readonly [K in keyof Declarations]: RuntimeEntryOf<Declarations[K]> };

export type BindingRuntime<K extends BindingKind> = RuntimeEntry<BindingOf<K>, ConfigOf<K>>;

/** Where data lives, in words: "in memory", "persisted to ./data", "persisted to redis://host:6379". */
export function describePersistence(persistence: NormalizedPersistence, cwd: string): string {
  switch (persistence.kind) {
    case "memory":
      return "in memory";
    case "file": {
      const relative = path.relative(cwd, persistence.directory);
      return `persisted to ${relative === "" ? "." : relative.startsWith("..") ? persistence.directory : `./${relative}`}`;
    }
    case "redis":
      // Never print a password.
      return `persisted to ${persistence.url.replace(/\/\/[^@/]*@/, "//***@")}`;
  }
}

/** A worker's RPC compatibility settings (rpc/compatibility.ts), from its compatibility date and flags. */
export function workerRpc(worker: NormalizedWorker | undefined): RpcCompatibility {
  return rpcCompatibility(worker?.compatibilityDate, worker?.compatibilityFlags ?? []);
}

const MAX_VALUE = 60;

/** A TypeScript type for a var's value: literals for strings, numbers and booleans. */
export function typeOfValue(value: unknown, indent = "  "): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map((item) => typeOfValue(item, indent)).join(", ")}]`;
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>).map(
      ([key, field]) => `${indent}  ${JSON.stringify(key)}: ${typeOfValue(field, `${indent}  `)};`,
    );
    return `{\n${fields.join("\n")}\n${indent}}`;
  }
  return "unknown";
}

/** The import path from the .d.ts to the worker's entry module, without extension. */
function modulePath(from: string, entry: string): string {
  const relative = path
    .relative(path.dirname(from), entry)
    .split(path.sep)
    .join("/")
    .replace(/\.(m?[jt]s|[jt]sx)$/, "");
  return relative.startsWith(".") ? relative : `./${relative}`;
}

export const BINDING_RUNTIMES: RuntimeTable<typeof BINDING_DECLARATIONS> = {
  var: {
    create: ({ value }) => value,
    describe: ({ value }) => {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
        const text = JSON.stringify(value);
        return `var ${text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text}`;
      }
      if (typeof value === "object") return `${(value as object).constructor?.name ?? "object"}`;
      return typeof value;
    },
    envType: (_name, value) => typeOfValue(value),
  },
  d1: {
    create: ({ databaseId }, host) => {
      // One store per database id, shared by every binding naming it.
      const store = host.shared(`d1:${databaseId}`, () => {
        const directory = host.options.d1Directory;
        if (directory === undefined) return host.isolate(new D1Store());
        // The directory is locked as the objects' is (one lock when both options name it): opening it as a backend takes it.
        const lock = host.backend({ kind: "file", directory });
        return host.isolate(new D1Store({ location: d1Location(directory, databaseId), lock }));
      });
      return new D1Database(store);
    },
    describe: ({ databaseId }) => `D1 database ${databaseId}`,
    // workers-types' global D1Database.
    envType: () => "D1Database",
    missing: { noun: "D1 database binding", listed: "D1 bindings", none: "No D1 databases are configured (option d1Databases)." },
  },
  r2: {
    create: ({ bucketName }, host) => {
      const storage = host.shared("r2", () => host.isolate(new R2Storage(host.options.r2Persistence)));
      return new R2Bucket(storage, bucketName);
    },
    describe: ({ bucketName }) => `R2 bucket ${bucketName}`,
    // R2Bucket: the global of @cloudflare/workers-types, as for DurableObjectNamespace.
    envType: () => "R2Bucket",
    missing: { noun: "R2 bucket binding", listed: "R2 bindings", none: "No R2 buckets are configured (option r2Buckets)." },
  },
  kv: {
    create: ({ id }, host) =>
      // KV data is layered and reset with the objects' storage ("kv" never names a Durable Object namespace,
      // so sharing a backend with the objects mixes nothing); bindings naming one id share its namespace.
      host.shared(`kv:${id}`, () => {
        const data = host.shared("kv", () => host.isolate(new BindingData("kv", host.backend(host.options.kvPersistence))));
        return new KVNamespace(data.store(id));
      }),
    describe: ({ id }) => `KV namespace ${id}`,
    // workers-types' global KVNamespace: durabox's binding offers its API.
    envType: () => "KVNamespace",
    missing: { noun: "KV namespace binding", listed: "KV bindings", none: "No KV namespaces are configured (option kvNamespaces)." },
  },
  queue: {
    // One broker for every queue of the runtime; a consumed queue's batches go to its worker's queue() handler.
    create: (producer, host) => {
      const broker = host.shared("queues", () => {
        const consumers = queueConsumers(host.options.workers, async (name, batch) => (await host.serving(name)).queue(batch));
        return host.isolate(new QueueBroker(host.backend(host.options.queuesPersistence), consumers));
      });
      return new Queue(broker, producer);
    },
    describe: ({ queueName, deliveryDelay }) =>
      `queue ${queueName}${deliveryDelay === undefined ? "" : ` (delivery delay ${deliveryDelay} s)`}`,
    // workers-types' global Queue<Body = unknown>: what send() takes is the application's to say.
    envType: (_name, { queueName }) => `Queue /* ${queueName} */`,
  },
  secret: {
    // One store per store id, shared by every binding naming it, in the bindings' layered data.
    create: ({ storeId, secretName }, host) => {
      const data = host.shared("secrets-store", () =>
        host.isolate(new BindingData("secrets-store", host.backend(host.options.secretsStorePersistence))),
      );
      return new SecretsStoreSecret(data.store(storeId), secretName);
    },
    describe: ({ storeId, secretName }) => `Secrets Store secret ${secretName} of store ${storeId}`,
    // workers-types' global SecretsStoreSecret.
    envType: () => "SecretsStoreSecret",
  },
  ratelimit: {
    // One set of counters for every namespace of the runtime, rolled back with each test.
    create: ({ namespaceId, limit, period }, host) =>
      new RateLimit(
        host.shared("ratelimits", () => host.isolate(new RateLimitCounters())),
        namespaceId,
        limit,
        period,
        realmClock(),
      ),
    describe: ({ namespaceId, limit, period }) => `rate limit ${limit} per ${period} s (namespace ${namespaceId})`,
    // workers-types' global RateLimit.
    envType: () => "RateLimit",
  },
  workflow: {
    // One engine per Workflow name: every binding naming it shares its instances.
    create: ({ binding, name, className, scriptName, preserveNonRetryableMessage }, host) => {
      const engine = host.shared(`workflow:${name}`, () =>
        host.isolate(
          new WorkflowEngine({
            name,
            backend: host.backend(host.options.workflowsPersistence),
            preserveNonRetryableMessage,
            runner: async (event, step) => (await host.serving(scriptName)).runWorkflow(className, event, step),
          }),
        ),
      );
      return new Workflow(engine, binding);
    },
    describe: ({ name, className, scriptName }, { worker }) =>
      `Workflow ${name} (class ${className}${scriptName === worker.name ? "" : ` of worker "${scriptName}"`})`,
    // workers-types' global Workflow<PARAMS>: the params are the application's to say.
    envType: (_name, { name, className }) => `Workflow /* ${name}: ${className} */`,
  },
  durableObject: {
    create: ({ scriptName, className }, host) => host.defineClass(scriptName, className),
    describe: (binding, { worker, persistence, cwd }) => {
      const owner = binding.scriptName === worker.name ? "" : ` of worker "${binding.scriptName}"`;
      const kind = binding.useSQLite === true || worker.storageKinds.get(binding.className) === "sqlite" ? "SQLite" : "key-value";
      return `Durable Object ${binding.className}${owner} (${kind} storage, ${describePersistence(persistence, cwd)})`;
    },
    envType: (_name, { className, scriptName }, { workerName, scriptPath, outFile }) =>
      (scriptName === undefined || scriptName === workerName) && scriptPath !== undefined
        ? `DurableObjectNamespace<import(${JSON.stringify(modulePath(outFile, scriptPath))}).${className}>`
        : `DurableObjectNamespace /* ${className} of worker "${scriptName}" */`,
    missing: {
      noun: "Durable Object binding",
      listed: "Bindings",
      none: "No Durable Objects are configured (option durableObjects).",
    },
  },
  service: {
    create: (service, host) =>
      serviceBinding(
        "handler" in service
          ? { kind: "function", handler: service.handler }
          : {
              kind: "worker",
              worker: () => host.serving(service.service),
              entrypoint: service.entrypoint,
              props: service.props,
              rpc: workerRpc(host.options.workers.find((w) => w.name === service.service)),
            },
      ),
    describe: (service) =>
      "handler" in service
        ? "service (a function)"
        : `service: ${service.entrypoint === undefined ? "" : `entrypoint ${service.entrypoint} of `}worker "${service.service}"`,
    envType: (_name, { name, entrypoint }) =>
      `Fetcher /* ${entrypoint === undefined ? "" : `entrypoint ${entrypoint} of `}worker "${name}" */`,
  },
};
