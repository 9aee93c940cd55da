import { normalizeOptions, type DuraboxOptions, type NormalizedOptions, type NormalizedPersistence } from "../options.js";
import { FileBackend } from "../storage/backends/file.js";
import { RedisBackend } from "../storage/backends/redis.js";
import type { StorageBackend } from "../storage/backend.js";
import type { ResolvedClass } from "../objects/class-registry.js";
import { ObjectRuntime } from "../objects/runtime.js";
import { LoadedWorker } from "../worker/worker.js";
import type { DuraboxHost } from "../durabox-host.js";
import { MemoryBackend } from "../storage/backends/memory.js";
import { LayeredBackend } from "../storage/backends/layered.js";
import { DuraboxError } from "../base/errors.js";
import { IsolationScopes } from "../base/isolation-scopes.js";
import type { IsolatedState } from "../base/isolated-state.js";
import { loadSqliteDriver } from "../sql/load-driver.js";
import type { DurableObjectNamespace } from "../objects/namespace.js";
import { loopbackNamespace } from "../objects/loopback-class.js";
import { workersModule } from "../worker/workers-module.js";
import { describeObjectEvent, type ObjectEvent } from "../objects/events.js";
import { autoReplyToClose } from "../objects/websockets/compatibility.js";

import { serviceBinding } from "../worker/service-binding.js";
import { workerExports } from "../worker/exports.js";
import { BindingData } from "../bindings/binding-data.js";
import { CacheStorage } from "../bindings/cache/cache-storage.js";
import type { D1Database } from "../bindings/d1/database.js";
import type { R2Bucket } from "../bindings/r2/bucket.js";
import type { KVNamespace } from "../bindings/kv/namespace.js";
import { workerResponseClass } from "../worker/response.js";
import { BINDING_RUNTIMES, workerRpc, type BindingHost } from "./binding-runtimes.js";
import { buildEnv } from "./build-env.js";
import { bindingsOf } from "../options/bindings/env.js";

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

/** The kinds a `get<Binding>()` method reads, and what each gives. */
export interface LookedUp {
  durableObject: DurableObjectNamespace;
  d1: D1Database;
  r2: R2Bucket;
  kv: KVNamespace;
}

/**
 * Everything one Durabox is made of, wired together: the normalised options,
 * the Durable Objects runtime and its storage, each worker's env (built from
 * the binding runtimes), the loaded workers, and the bindings' isolated data.
 * `Durabox` is its public face; the test environments and the CLI use it
 * directly. As an IsolatedState it is one member of a test file's scopes: a
 * pop ends a scope (its WebSockets closed, storage rolled back, instances
 * evicted, alarms rescheduled).
 */
export class DuraboxRuntime implements IsolatedState {
  readonly options: NormalizedOptions;
  readonly objects: ObjectRuntime;
  readonly ready: Promise<void>;
  readonly caches: CacheStorage;
  readonly #host: DuraboxHost;
  /** Each worker's env, by worker name. */
  readonly #envs = new Map<string, Record<string, unknown>>();
  readonly #loaded = new Map<string, LoadedWorker>();
  /** Bindings' data (KV, R2, Cache, D1), layered and reset together with the objects' storage. */
  readonly #bindingData = new IsolationScopes();
  /** Each worker's exports as loopback bindings (ctx.exports), made on first use. */
  readonly #exports = new Map<string, object>();
  #disposed = false;

  constructor(options: DuraboxOptions, host: DuraboxHost) {
    this.#host = host;
    this.options = normalizeOptions(options, host.cwd);
    // A directory (or Redis) named by several persistence options is opened once: a directory has one lock.
    const backends = new Map<string, StorageBackend>();
    const backend = (persistence: NormalizedPersistence): StorageBackend => {
      if (persistence.kind === "memory") return new MemoryBackend();
      const key = JSON.stringify(persistence);
      let opened = backends.get(key);
      if (opened === undefined) backends.set(key, (opened = openBackend(persistence)));
      return opened;
    };
    // Always layered: with no layer pushed it passes straight through, and the
    // test environments push and pop layers for per-test isolation.
    const storage = new LayeredBackend(backend(this.options.persistence));
    this.objects = new ObjectRuntime(storage, {
      automaticAlarms: this.options.automaticAlarms,
      layers: storage,
      ...(this.options.verbose && { onEvent: logObjectEvent }),
    });
    // The Cache API: its data layered and reset with the objects' storage ("cache" never names a Durable Object namespace).
    const cacheData = this.#bindingData.join(new BindingData("cache", backend(this.options.cachePersistence)));
    this.caches = new CacheStorage(cacheData, { enabled: this.options.cache, responseClass: workerResponseClass });
    const shared = new Map<string, unknown>();
    const bindingHost: BindingHost = {
      options: this.options,
      shared: <T>(key: string, make: () => T): T => {
        if (!shared.has(key)) shared.set(key, make());
        return shared.get(key) as T;
      },
      isolate: (state) => this.isolate(state),
      backend,
      defineClass: (scriptName, className) => this.#defineClass(scriptName, className),
      serving: (name) => this.#serving(name),
    };
    for (const worker of this.options.workers) this.#envs.set(worker.name, buildEnv(worker, bindingHost));
    this.ready = this.#load();
    // Failures surface from the methods that await it; never as an unhandled rejection.
    this.ready.catch(() => {});
  }

  /** A worker's env (the entry worker's by default), before its code has loaded (objects wait for it). */
  env(workerName?: string): Record<string, unknown> {
    const name = workerName ?? this.options.workers[0]!.name;
    const env = this.#envs.get(name);
    if (env === undefined) {
      throw new DuraboxError(
        "ERR_OPTIONS",
        `No worker named "${name}". Workers: ${[...this.#envs.keys()].map((n) => `"${n}"`).join(", ")}.`,
      );
    }
    return env;
  }

  /** The loaded worker named so (the entry worker by default), once loading is done. */
  loaded(workerName?: string): LoadedWorker | undefined {
    return this.#loaded.get(workerName ?? this.options.workers[0]!.name);
  }

  /** A binding of one kind: the named worker's, else the entry worker's, else the first worker declaring it. */
  binding<K extends keyof LookedUp>(kind: K, bindingName: string, workerName?: string): LookedUp[K] {
    const candidates = workerName === undefined ? this.options.workers : this.options.workers.filter((w) => w.name === workerName);
    for (const worker of candidates) {
      if (worker.env.get(bindingName)?.kind === kind) return this.#envs.get(worker.name)![bindingName] as LookedUp[K];
    }
    const { noun, listed, none } = BINDING_RUNTIMES[kind].missing!;
    const names = [...new Set(candidates.flatMap((w) => [...w.env].filter(([, b]) => b.kind === kind).map(([name]) => name)))];
    throw new DuraboxError(
      "ERR_BINDING_NOT_FOUND",
      `No ${noun} named "${bindingName}"${workerName === undefined ? "" : ` in worker "${workerName}"`}. ` +
        (names.length > 0 ? `${listed}: ${names.join(", ")}.` : none),
    );
  }

  /**
   * A worker's exports as loopback bindings (the entry worker's by default):
   * `default` and each named entrypoint a service binding, each Durable Object
   * class its namespace. The same object each time; what `ctx.exports` is
   * inside the worker when its compatibility settings turn it on.
   */
  workerExports(workerName?: string): object {
    const name = workerName ?? this.options.workers[0]!.name;
    const known = this.#exports.get(name);
    if (known !== undefined) return known;
    const worker = this.options.workers.find((w) => w.name === name);
    if (worker === undefined) this.env(name);
    const classes = [...worker!.storageKinds.keys()];
    const exports = workerExports({
      loaded: () => this.#loaded.get(name),
      configuredClasses: () => classes,
      serviceBinding: (entrypoint) =>
        serviceBinding({
          kind: "worker",
          worker: () => this.#serving(name),
          entrypoint,
          props: {},
          rpc: workerRpc(worker),
          loopback: true,
        }),
      namespace: (className) => {
        // A class some binding names already has its namespace: exports.Counter reaches env.COUNTER's objects.
        let namespace: DurableObjectNamespace | undefined;
        for (const other of this.options.workers) {
          const bound = other.durableObjects.find((d) => d.scriptName === name && d.className === className);
          if (bound !== undefined) namespace = this.#envs.get(other.name)![bound.binding] as DurableObjectNamespace;
          if (namespace !== undefined) break;
        }
        return loopbackNamespace(namespace ?? this.#defineClass(name, className));
      },
    });
    this.#exports.set(name, exports);
    return exports;
  }

  /** Registers a binding's data: it rolls back with each test scope, is deleted by reset() and released by dispose(). */
  isolate<T extends IsolatedState>(state: T): T {
    return this.#bindingData.join(state);
  }

  /** Starts an isolation layer over every object's and every binding's data. */
  pushLayer(): void {
    this.objects.pushLayer();
    this.#bindingData.pushLayer();
  }

  /**
   * Ends the innermost layer: the WebSockets accepted in it close first (1001
   * to the client side: none hibernates across tests), its writes everywhere
   * are dropped (O(1)), every live instance is evicted, and alarms are
   * rescheduled to what storage now says (one set in the layer no longer fires).
   */
  popLayer(): Promise<void> {
    this.objects.closeWebSockets(this.objects.layerDepth - 1, 1001, "The test that opened this WebSocket ended.");
    void this.#bindingData.popLayer();
    const changed = this.objects.popLayer();
    this.objects.evictAll();
    return this.objects.rescheduleAlarms(changed);
  }

  /**
   * Deletes every object's storage (key-value, SQL, alarm) and every binding's data, in the
   * current layer's view, after resetting every live instance (cloudflare:test's `reset()`).
   */
  async deleteAll(): Promise<void> {
    await this.#whenReady();
    this.objects.abortAll(new DuraboxError("ERR_ABORTED", "reset() deleted every Durable Object's data and reset its instance."));
    const identities = new Set(this.options.workers.flatMap((w) => w.durableObjects.map((d) => `${d.scriptName}#${d.className}`)));
    for (const identity of identities) {
      for (const id of await this.objects.listIds(identity)) {
        const storage = this.objects.storage(id);
        await storage.deleteAll();
        await storage.deleteAlarm();
      }
    }
    await this.#bindingData.deleteAll();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.ready.catch(() => undefined);
    await this.objects.dispose();
    await this.#bindingData.dispose();
  }

  /** Waits for the workers' code; refuses once disposed. */
  async whenReady(): Promise<void> {
    return this.#whenReady();
  }

  /**
   * Defines worker `scriptName`'s class `className` (once: one namespace per exporting worker and class, however
   * many workers bind it) and returns a namespace of it. The class resolves when the worker's code has loaded.
   */
  #defineClass(scriptName: string, className: string): DurableObjectNamespace {
    const identity = `${scriptName}#${className}`;
    const worker = this.options.workers.find((w) => w.name === scriptName)!;
    this.objects.define({
      identity,
      className,
      // Resolved once per class from every source by normalizeOptions (a class only ctx.exports reaches: key-value).
      storageKind: worker.storageKinds.get(className) ?? "key-value",
      webSocketAutoReplyToClose: autoReplyToClose(worker.compatibilityDate, worker.compatibilityFlags),
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
        return owner !== undefined ? resolveFrom(owner) : this.ready.then(() => resolveFrom(this.#loaded.get(scriptName)));
      },
    });
    return this.objects.namespace(identity);
  }

  /** The loaded worker a service binding reaches (waits for loading). */
  #serving(name: string): LoadedWorker | Promise<LoadedWorker> {
    if (this.#disposed) throw new DuraboxError("ERR_DISPOSED", "This service binding belongs to a disposed Durabox: the call was not run.");
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

  async #whenReady(): Promise<void> {
    if (this.#disposed) {
      throw new DuraboxError("ERR_DISPOSED", "This Durabox has been disposed: create a new one.");
    }
    return this.ready;
  }

  async #load(): Promise<void> {
    // No SQLite driver (Node before 22.16 without better-sqlite3): say so at start, naming both fixes.
    if (this.options.workers.some((worker) => [...worker.storageKinds.values()].includes("sqlite"))) loadSqliteDriver();
    await Promise.all(
      this.options.workers.map(async (worker) => {
        if (worker.source === undefined) return;
        const loaded = await LoadedWorker.load(worker.name, worker.source, this.#envs.get(worker.name)!, {
          compatibility: { flags: worker.compatibilityFlags, date: worker.compatibilityDate },
          trackBackground: (promise) => this.objects.trackBackground(promise),
          ctxExports: () => (worker.ctxExports ? this.workerExports(worker.name) : undefined),
          moduleLoader: this.#host.moduleLoader,
          vmContext: this.#host.vmContext,
          // `import { env, exports } from "cloudflare:workers"` in this worker's code.
          workersModule: workersModule({
            env: () => this.#envs.get(worker.name)!,
            exports: () => this.workerExports(worker.name),
            waitUntil: (promise) => this.objects.trackBackground(promise),
          }),
          caches: this.caches,
        });
        this.#loaded.set(worker.name, loaded);
      }),
    );
    // Alarms stored by an earlier run fire again.
    await this.objects.rescheduleAlarms();
    // Check every binding's class now, so a typo fails at start, not at first use.
    for (const worker of this.options.workers) {
      for (const { binding, className, scriptName } of worker.durableObjects) {
        this.#ownerOf(`durableObjects.${binding}`, className, scriptName).objectClass(className);
      }
      for (const { binding, className, scriptName } of bindingsOf(worker.env, "workflow")) {
        this.#ownerOf(`workflows.${binding}`, className, scriptName).workflowClass(className);
      }
    }
  }

  /** The loaded worker a binding's class belongs to; a worker without code is an error naming the binding. */
  #ownerOf(binding: string, className: string, scriptName: string): LoadedWorker {
    const owner = this.#loaded.get(scriptName);
    if (owner === undefined) {
      throw new DuraboxError(
        "ERR_SCRIPT",
        `${binding} uses class "${className}" of worker "${scriptName}", which has no code: give that worker "script" or "scriptPath".`,
      );
    }
    return owner;
  }
}
