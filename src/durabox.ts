import { normalizeOptions, type DuraboxOptions, type NormalizedOptions, type NormalizedPersistence } from "./options.js";
import { FileBackend } from "./storage/backends/file.js";
import { RedisBackend } from "./storage/backends/redis.js";
import type { StorageBackend } from "./storage/backend.js";
import type { ResolvedClass } from "./objects/class-registry.js";
import { ObjectRuntime } from "./objects/runtime.js";
import { DurableObjectId } from "./objects/id.js";
import { LoadedWorker } from "./worker/worker.js";
import type { DuraboxHost } from "./durabox-host.js";
import { MemoryBackend } from "./storage/backends/memory.js";
import { LayeredBackend } from "./storage/backends/layered.js";
import { DuraboxError } from "./base/errors.js";
import { loadSqliteDriver } from "./sql/load-driver.js";
import type { DurableObjectNamespace } from "./objects/namespace.js";
import type { ObjectStorage } from "./objects/object-storage.js";
import type { IsolatedState } from "./base/isolated-state.js";
import type { ObjectAddress } from "./storage/address.js";
import { workersModule } from "./worker/workers-module.js";
import { describeObjectEvent, type ObjectEvent } from "./objects/events.js";
import { autoReplyToClose } from "./objects/websockets/compatibility.js";
import { rpcCompatibility, type RpcCompatibility } from "./rpc/compatibility.js";
import { serviceBinding } from "./worker/service-binding.js";
import { workerExports } from "./worker/exports.js";
import { D1Database } from "./bindings/d1/database.js";
import { d1Location, D1Store } from "./bindings/d1/store.js";
import { R2Storage } from "./bindings/r2/r2-storage.js";
import { R2Bucket } from "./bindings/r2/bucket.js";
import { BindingData } from "./bindings/binding-data.js";
import { KVNamespace } from "./bindings/kv/namespace.js";
import { CacheStorage } from "./bindings/cache/cache-storage.js";
import { workerResponseClass } from "./worker/response.js";

/** A promise of a Response that also reads its body: `await mf.dispatchFetch(url).text()`. */
export interface ResponsePromise extends Promise<Response> {
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  arrayBuffer(): Promise<ArrayBuffer>;
  blob(): Promise<Blob>;
  formData(): Promise<FormData>;
}

function responsePromise(response: Promise<Response>): ResponsePromise {
  return Object.assign(response, {
    text: () => response.then((r) => r.text()),
    json: <T>() => response.then((r) => r.json() as Promise<T>),
    arrayBuffer: () => response.then((r) => r.arrayBuffer()),
    blob: () => response.then((r) => r.blob()),
    formData: () => response.then((r) => r.formData()),
  });
}

function openBackend(persistence: NormalizedPersistence): StorageBackend {
  switch (persistence.kind) {
    case "memory":
      return new MemoryBackend();
    case "file":
      return new FileBackend(persistence.directory);
    case "redis":
      return new RedisBackend(persistence.url);
  }
}

/** `verbose`: one line per Durable Object event, on stdout. */
function logObjectEvent(event: ObjectEvent): void {
  process.stdout.write(`durabox: ${describeObjectEvent(event)}\n`);
}

/** web_socket_auto_reply_to_close for a worker's sockets, from its compatibility date and flags. */
function webSocketAutoReply(worker: NormalizedOptions["workers"][number] | undefined): boolean {
  return autoReplyToClose(worker?.compatibilityDate, worker?.compatibilityFlags ?? []);
}

/** A worker's RPC compatibility settings (rpc/compatibility.ts), from its compatibility date and flags. */
function workerRpc(worker: NormalizedOptions["workers"][number] | undefined): RpcCompatibility {
  return rpcCompatibility(worker?.compatibilityDate, worker?.compatibilityFlags ?? []);
}

/** How the get<Binding>() methods name each kind of binding when one is missing. */
const BINDING_KINDS = {
  durableObjects: {
    noun: "Durable Object binding",
    listed: "Bindings",
    none: "No Durable Objects are configured (option durableObjects).",
  },
  d1Databases: { noun: "D1 database binding", listed: "D1 bindings", none: "No D1 databases are configured (option d1Databases)." },
  r2Buckets: { noun: "R2 bucket binding", listed: "R2 bindings", none: "No R2 buckets are configured (option r2Buckets)." },
  kvNamespaces: { noun: "KV namespace binding", listed: "KV bindings", none: "No KV namespaces are configured (option kvNamespaces)." },
} as const;

/** dispatchFetch resolves relative URLs against the address `durabox` serves on by default. */
const DISPATCH_BASE = "http://localhost:8787";

/**
 * A Durable Objects runtime in this process: a worker, its Durable Object
 * classes, and their storage. Construction is synchronous and cheap; the
 * worker's code loads in the background and every method waits for it.
 */
export class Durabox {
  readonly #options: NormalizedOptions;
  readonly #runtime: ObjectRuntime;
  readonly #storage: LayeredBackend;
  readonly #ready: Promise<void>;
  /** Each worker's env, by worker name. */
  readonly #envs = new Map<string, Record<string, unknown>>();
  readonly #loaded = new Map<string, LoadedWorker>();
  readonly #host: DuraboxHost;
  readonly #usesSqlite: boolean;
  /** Bindings' data (KV, R2, Cache, D1), layered and reset together with the objects' storage. */
  readonly #isolated: IsolatedState[] = [];
  /** Each worker's exports as loopback bindings (ctx.exports), made on first use. */
  readonly #exports = new Map<string, object>();
  /** Every worker's R2 buckets' data (`r2Persist`), opened when some worker binds a bucket. */
  readonly #r2: R2Storage | undefined;
  /** KV namespaces by namespace id: bindings naming one id share it. */
  readonly #kvNamespaces = new Map<string, KVNamespace>();
  readonly #caches: CacheStorage;
  #disposed = false;

  constructor(options?: DuraboxOptions);
  /** @internal A test runner hosting the runtime passes where and how to load code. */
  constructor(options: DuraboxOptions, host: DuraboxHost);
  constructor(options: DuraboxOptions = {}, host: DuraboxHost = {}) {
    this.#host = host;
    this.#options = normalizeOptions(options, host.cwd);
    // Always layered: with no layer pushed it passes straight through, and the
    // test environments push and pop layers for per-test isolation.
    // A directory (or Redis) named by several persistence options is opened once: a directory has one lock.
    const backends = new Map<string, StorageBackend>();
    const sharedBackend = (persistence: NormalizedPersistence): StorageBackend => {
      if (persistence.kind === "memory") return new MemoryBackend();
      const key = JSON.stringify(persistence);
      let backend = backends.get(key);
      if (backend === undefined) backends.set(key, (backend = openBackend(persistence)));
      return backend;
    };
    this.#storage = new LayeredBackend(sharedBackend(this.#options.persistence));
    this.#runtime = new ObjectRuntime(this.#storage, {
      automaticAlarms: this.#options.automaticAlarms,
      layers: this.#storage,
      ...(this.#options.verbose && { onEvent: logObjectEvent }),
    });
    this.#usesSqlite = this.#options.workers.some((worker) => [...worker.storageKinds.values()].includes("sqlite"));
    for (const worker of this.#options.workers) this.#envs.set(worker.name, { ...worker.bindings });
    // D1: one store per database id, shared by every binding naming it.
    const d1Stores = new Map<string, D1Store>();
    for (const worker of this.#options.workers) {
      for (const { binding, databaseId } of worker.d1Databases) {
        let store = d1Stores.get(databaseId);
        if (store === undefined) {
          const directory = this.#options.d1Directory;
          store = new D1Store(directory === undefined ? {} : { location: d1Location(directory, databaseId) });
          d1Stores.set(databaseId, store);
          this.#isolated.push(store);
        }
        this.#envs.get(worker.name)![binding] = new D1Database(store);
      }
    }
    if (this.#options.workers.some((worker) => worker.r2Buckets.length > 0)) {
      this.#r2 = new R2Storage(this.#options.r2Persistence);
      this.#isolated.push(this.#r2);
      for (const worker of this.#options.workers) {
        const env = this.#envs.get(worker.name)!;
        for (const { binding, bucketName } of worker.r2Buckets) env[binding] = new R2Bucket(this.#r2, bucketName);
      }
    }
    // KV and the Cache API: their data layered and reset with the objects' storage ("kv" and "cache"
    // never name a Durable Object namespace, so sharing a backend with the objects mixes nothing).
    const kvData = new BindingData("kv", sharedBackend(this.#options.kvPersistence));
    const cacheData = new BindingData("cache", sharedBackend(this.#options.cachePersistence));
    this.#isolated.push(kvData, cacheData);
    this.#caches = new CacheStorage(cacheData, { enabled: this.#options.cache, responseClass: workerResponseClass });
    for (const worker of this.#options.workers) {
      const env = this.#envs.get(worker.name)!;
      for (const { binding, id } of worker.kvNamespaces) {
        let namespace = this.#kvNamespaces.get(id);
        if (namespace === undefined) this.#kvNamespaces.set(id, (namespace = new KVNamespace(kvData.store(id))));
        env[binding] = namespace;
      }
    }
    for (const worker of this.#options.workers) {
      const env = this.#envs.get(worker.name)!;
      for (const { binding, className, scriptName } of worker.durableObjects) {
        env[binding] = this.#defineClass(scriptName, className);
      }
      for (const service of worker.serviceBindings) {
        env[service.binding] = serviceBinding(
          "handler" in service
            ? { kind: "function", handler: service.handler }
            : {
                kind: "worker",
                worker: () => this.#serving(service.service),
                entrypoint: service.entrypoint,
                props: service.props,
                rpc: workerRpc(this.#options.workers.find((w) => w.name === service.service)),
              },
        );
      }
    }
    this.#ready = this.#load();
    // Failures surface from the methods that await it; never as an unhandled rejection.
    this.#ready.catch(() => {});
  }

  /** Resolves once every worker's code is loaded and its classes checked; rejects with what is wrong. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** Sends a request to the entry worker's fetch handler. */
  dispatchFetch(input: Request | string | URL, init?: RequestInit): ResponsePromise {
    return responsePromise(
      (async () => {
        await this.#whenReady();
        const entry = this.#options.workers[0]!;
        const worker = this.#loaded.get(entry.name);
        if (worker === undefined) {
          throw new DuraboxError("ERR_SCRIPT", 'There is no worker to dispatch to: pass "script" or "scriptPath".');
        }
        const request =
          input instanceof Request && init === undefined
            ? input
            : new Request(typeof input === "string" || input instanceof URL ? new URL(input, DISPATCH_BASE) : input, init);
        return worker.fetch(request);
      })(),
    );
  }

  /** A worker's env (the entry worker's by default). */
  async getBindings<Env = Record<string, unknown>>(workerName?: string): Promise<Env> {
    await this.#whenReady();
    return this.#env(workerName) as Env;
  }

  /** A Durable Object namespace binding: the entry worker's, else the first worker declaring it. */
  async getDurableObjectNamespace(bindingName: string, workerName?: string): Promise<DurableObjectNamespace> {
    await this.#whenReady();
    return this.#bindingNow("durableObjects", bindingName, workerName) as DurableObjectNamespace;
  }

  /** A D1 database binding: the entry worker's, else the first worker declaring it. */
  async getD1Database(bindingName: string, workerName?: string): Promise<D1Database> {
    await this.#whenReady();
    return this.getD1DatabaseNow(bindingName, workerName);
  }

  /** @internal getD1Database() before the worker's code has loaded (test helpers). */
  getD1DatabaseNow(bindingName: string, workerName?: string): D1Database {
    return this.#bindingNow("d1Databases", bindingName, workerName) as D1Database;
  }

  /** An R2 bucket binding (`env[binding]`): the entry worker's, else the first worker declaring it. */
  async getR2Bucket(binding: string, workerName?: string): Promise<R2Bucket> {
    await this.#whenReady();
    return this.r2BucketNow(binding, workerName);
  }

  /** @internal An R2 bucket binding now, before worker code has loaded. */
  r2BucketNow(binding: string, workerName?: string): R2Bucket {
    return this.#bindingNow("r2Buckets", binding, workerName) as R2Bucket;
  }

  /** The storage of the object with this id, without constructing the object. */
  async getDurableObjectStorage(id: DurableObjectId): Promise<ObjectStorage> {
    await this.#whenReady();
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError(
        "getDurableObjectStorage() expects a DurableObjectId, from namespace.idFromName(), idFromString() or newUniqueId().",
      );
    }
    return this.#runtime.storage(id);
  }

  /** A KV namespace binding (Miniflare 3's name): the entry worker's, else the first worker declaring it. */
  async getKVNamespace(bindingName: string, workerName?: string): Promise<KVNamespace> {
    await this.#whenReady();
    return this.kvNamespaceNow(bindingName, workerName);
  }

  /** The Cache API (`caches`) worker code sees (Miniflare 3's name). */
  async getCaches(): Promise<CacheStorage> {
    await this.#whenReady();
    return this.#caches;
  }

  /** @internal The Cache API now, before the worker's code has loaded. */
  get cachesNow(): CacheStorage {
    return this.#caches;
  }

  /** @internal getKVNamespace without waiting for the worker's code. */
  kvNamespaceNow(bindingName: string, workerName?: string): KVNamespace {
    return this.#bindingNow("kvNamespaces", bindingName, workerName) as KVNamespace;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#ready.catch(() => undefined);
    await this.#runtime.dispose();
    for (const state of this.#isolated) await state.dispose();
  }

  /** @internal A binding's data joins the isolation layers, reset() and dispose(). */
  addIsolatedState(state: IsolatedState): void {
    this.#isolated.push(state);
  }

  /**
   * @internal A worker's exports as loopback bindings (the entry worker's by
   * default): `default` and each named entrypoint a service binding, each
   * Durable Object class its namespace. The same object each time; what
   * `ctx.exports` is inside the worker when its compatibility settings turn it on.
   */
  workerExports(workerName?: string): object {
    const name = workerName ?? this.#options.workers[0]!.name;
    const known = this.#exports.get(name);
    if (known !== undefined) return known;
    const worker = this.#options.workers.find((w) => w.name === name);
    if (worker === undefined) this.#env(name);
    const classes = [...worker!.storageKinds.keys()];
    const exports = workerExports({
      loaded: () => this.#loaded.get(name),
      configuredClasses: () => classes,
      serviceBinding: (entrypoint) =>
        serviceBinding({ kind: "worker", worker: () => this.#serving(name), entrypoint, props: {}, rpc: workerRpc(worker) }),
      namespace: (className) => {
        // A class some binding names already has its namespace: exports.Counter is env.COUNTER.
        for (const other of this.#options.workers) {
          const bound = other.durableObjects.find((d) => d.scriptName === name && d.className === className);
          if (bound !== undefined) return this.#envs.get(other.name)![bound.binding] as object;
        }
        return this.#defineClass(name, className);
      },
    });
    this.#exports.set(name, exports);
    return exports;
  }

  /**
   * Defines worker `scriptName`'s class `className` (once: one namespace per exporting worker and class, however
   * many workers bind it) and returns a namespace of it. The class resolves when the worker's code has loaded.
   */
  #defineClass(scriptName: string, className: string): DurableObjectNamespace {
    const identity = `${scriptName}#${className}`;
    const worker = this.#options.workers.find((w) => w.name === scriptName)!;
    this.#runtime.define({
      identity,
      className,
      // Resolved once per class from every source by normalizeOptions (a class only ctx.exports reaches: key-value).
      storageKind: worker.storageKinds.get(className) ?? "key-value",
      webSocketAutoReplyToClose: webSocketAutoReply(worker),
      rpc: workerRpc(worker),
      resolve: () => {
        const resolveFrom = (owner: LoadedWorker | undefined): ResolvedClass => {
          if (owner === undefined) throw new DuraboxError("ERR_SCRIPT", `Worker "${scriptName}" has no code.`);
          return {
            objectClass: owner.objectClass(className),
            env: owner.env,
            ...(worker.ctxExports && { exports: this.workerExports(scriptName) }),
          };
        };
        const owner = this.#loaded.get(scriptName);
        // Still loading: the object waits for its class (events queue in order).
        return owner !== undefined ? resolveFrom(owner) : this.#ready.then(() => resolveFrom(this.#loaded.get(scriptName)));
      },
    });
    return this.#runtime.namespace(identity);
  }

  /** The loaded worker a service binding reaches (waits for loading). */
  #serving(name: string): LoadedWorker | Promise<LoadedWorker> {
    const find = (): LoadedWorker => {
      const worker = this.#loaded.get(name);
      if (worker === undefined) {
        throw new DuraboxError(
          "ERR_SCRIPT",
          `A service binding reaches worker "${name}", which has no code: give that worker "script" or "scriptPath".`,
        );
      }
      return worker;
    };
    return this.#loaded.has(name) ? find() : this.#whenReady().then(find);
  }

  /** @internal Starts an isolation layer over every object's and every binding's data. */
  pushLayer(): void {
    this.#runtime.pushLayer();
    for (const state of this.#isolated) state.pushLayer();
  }

  /** @internal Drops the innermost layer everywhere; returns the objects whose stored alarm may have changed. */
  popLayer(): ObjectAddress[] {
    for (const state of this.#isolated) state.popLayer();
    return this.#runtime.popLayer();
  }

  /** @internal The options as normalized: what the CLI's start-up banner describes. */
  get normalizedOptions(): NormalizedOptions {
    return this.#options;
  }

  /** @internal A worker's env now, before its code has loaded (objects wait for it). */
  envNow(workerName?: string): Record<string, unknown> {
    return this.#env(workerName);
  }

  /**
   * @internal Deletes every object's storage (key-value, SQL, alarm) and every binding's data, in the
   * current layer's view, after resetting every live instance (cloudflare:test's `reset()`).
   */
  async deleteAllData(): Promise<void> {
    await this.#whenReady();
    this.#runtime.abortAll(new DuraboxError("ERR_ABORTED", "reset() deleted every Durable Object's data and reset its instance."));
    const identities = new Set(this.#options.workers.flatMap((w) => w.durableObjects.map((d) => `${d.scriptName}#${d.className}`)));
    for (const identity of identities) {
      for (const id of await this.#runtime.listIds(identity)) {
        const storage = this.#runtime.storage(id);
        await storage.deleteAll();
        await storage.deleteAlarm();
      }
    }
    for (const state of this.#isolated) await state.deleteAll();
  }

  /** @internal The object runtime: what the test environments drive. */
  get runtime(): ObjectRuntime {
    return this.#runtime;
  }

  /** A binding of one kind: the named worker's, else the entry worker's, else the first worker declaring it. */
  #bindingNow(kind: keyof typeof BINDING_KINDS, bindingName: string, workerName: string | undefined): unknown {
    const candidates = workerName === undefined ? this.#options.workers : this.#options.workers.filter((w) => w.name === workerName);
    for (const worker of candidates) {
      if (worker[kind].some((b) => b.binding === bindingName)) return this.#envs.get(worker.name)![bindingName];
    }
    const { noun, listed, none } = BINDING_KINDS[kind];
    const names = [...new Set(candidates.flatMap((w) => w[kind].map((b) => b.binding)))];
    throw new DuraboxError(
      "ERR_BINDING_NOT_FOUND",
      `No ${noun} named "${bindingName}"${workerName === undefined ? "" : ` in worker "${workerName}"`}. ` +
        (names.length > 0 ? `${listed}: ${names.join(", ")}.` : none),
    );
  }

  #env(workerName: string | undefined): Record<string, unknown> {
    const name = workerName ?? this.#options.workers[0]!.name;
    const env = this.#envs.get(name);
    if (env === undefined) {
      throw new DuraboxError(
        "ERR_OPTIONS",
        `No worker named "${name}". Workers: ${[...this.#envs.keys()].map((n) => `"${n}"`).join(", ")}.`,
      );
    }
    return env;
  }

  async #whenReady(): Promise<void> {
    if (this.#disposed) {
      throw new DuraboxError("ERR_DISPOSED", "This Durabox has been disposed: create a new one.");
    }
    return this.#ready;
  }

  async #load(): Promise<void> {
    // No SQLite driver (Node before 22.16 without better-sqlite3): say so at start, naming both fixes.
    if (this.#usesSqlite) loadSqliteDriver();
    await Promise.all(
      this.#options.workers.map(async (worker) => {
        if (worker.source === undefined) return;
        const loaded = await LoadedWorker.load(worker.name, worker.source, this.#envs.get(worker.name)!, {
          compatibility: { flags: worker.compatibilityFlags, date: worker.compatibilityDate },
          trackBackground: (promise) => this.#runtime.trackBackground(promise),
          ctxExports: () => (worker.ctxExports ? this.workerExports(worker.name) : undefined),
          moduleLoader: this.#host.moduleLoader,
          vmContext: this.#host.vmContext,
          // `import { env, exports } from "cloudflare:workers"` in this worker's code.
          workersModule: workersModule({
            env: () => this.#envs.get(worker.name)!,
            exports: () => this.workerExports(worker.name),
            waitUntil: (promise) => this.#runtime.trackBackground(promise),
          }),
          caches: this.#caches,
        });
        this.#loaded.set(worker.name, loaded);
      }),
    );
    // Alarms stored by an earlier run fire again.
    await this.#runtime.rescheduleAlarms();
    // Check every binding's class now, so a typo fails at start, not at first use.
    for (const worker of this.#options.workers) {
      for (const { binding, className, scriptName } of worker.durableObjects) {
        const owner = this.#loaded.get(scriptName);
        if (owner === undefined) {
          throw new DuraboxError(
            "ERR_SCRIPT",
            `durableObjects.${binding} uses class "${className}" of worker "${scriptName}", which has no code: give that worker "script" or "scriptPath".`,
          );
        }
        owner.objectClass(className);
      }
    }
  }
}
