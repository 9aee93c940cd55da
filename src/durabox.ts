import { normalizeOptions, type DuraboxOptions, type NormalizedOptions } from "./options.js";
import { ObjectRuntime } from "./objects/runtime.js";
import { DurableObjectId, namespaceOf } from "./objects/id.js";
import { LoadedWorker } from "./worker/worker.js";
import { MemoryBackend } from "./storage/backends/memory.js";
import { LayeredBackend } from "./storage/backends/layered.js";
import { DuraboxError } from "./errors.js";
import type { DurableObjectNamespace } from "./objects/namespace.js";
import type { DurableObjectStorage } from "./storage/storage.js";

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
  readonly #ready: Promise<LoadedWorker | undefined>;
  readonly #env: Record<string, unknown>;
  #worker: LoadedWorker | undefined;
  #disposed = false;

  constructor(options: DuraboxOptions = {}) {
    this.#options = normalizeOptions(options);
    // Always layered: with no layer pushed it passes straight through, and the
    // test environments push and pop layers for per-test isolation.
    this.#storage = new LayeredBackend(new MemoryBackend());
    this.#runtime = new ObjectRuntime(this.#storage, { automaticAlarms: this.#options.automaticAlarms });
    this.#env = { ...this.#options.bindings };
    for (const { binding, className, scriptName } of this.#options.durableObjects) {
      const owner = scriptName ?? this.#options.name;
      if (owner !== this.#options.name) {
        throw new DuraboxError(
          "ERR_OPTIONS",
          `durableObjects.${binding} names scriptName "${owner}", but no worker of that name is configured.`,
        );
      }
      const identity = `${owner}#${className}`;
      this.#runtime.define({
        identity,
        className,
        resolve: () => {
          const worker = this.#worker;
          if (worker === undefined) {
            throw new DuraboxError("ERR_SCRIPT", "The worker is still loading: await mf.ready (or any Durabox method) first.");
          }
          return { objectClass: worker.objectClass(className), env: worker.env };
        },
      });
      this.#env[binding] = this.#runtime.namespace(identity);
    }
    this.#ready = this.#load();
    // Failures surface from the methods that await it; never as an unhandled rejection.
    this.#ready.catch(() => {});
  }

  /** Resolves once the worker's code is loaded and its classes checked; rejects with what is wrong. */
  get ready(): Promise<void> {
    return this.#ready.then(() => undefined);
  }

  dispatchFetch(input: Request | string | URL, init?: RequestInit): ResponsePromise {
    return responsePromise(
      (async () => {
        const worker = await this.#loaded();
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

  async getBindings<Env = Record<string, unknown>>(): Promise<Env> {
    await this.#loaded();
    return this.#env as Env;
  }

  async getDurableObjectNamespace(bindingName: string): Promise<DurableObjectNamespace> {
    await this.#loaded();
    const namespace = this.#env[bindingName];
    if (!this.#options.durableObjects.some((d) => d.binding === bindingName)) {
      const names = this.#options.durableObjects.map((d) => d.binding);
      throw new DuraboxError(
        "ERR_BINDING_NOT_FOUND",
        `No Durable Object binding named "${bindingName}". ` +
          (names.length > 0 ? `Bindings: ${names.join(", ")}.` : "No Durable Objects are configured (option durableObjects)."),
      );
    }
    return namespace as DurableObjectNamespace;
  }

  /** The storage of the object with this id, without constructing the object. */
  async getDurableObjectStorage(id: DurableObjectId): Promise<DurableObjectStorage> {
    await this.#loaded();
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError("getDurableObjectStorage() expects a DurableObjectId, from namespace.idFromName(), idFromString() or newUniqueId().");
    }
    return this.#runtime.storage(id);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#ready.catch(() => undefined);
    await this.#runtime.dispose();
  }

  /** @internal The object runtime: what the test environments drive. */
  get runtime(): ObjectRuntime {
    return this.#runtime;
  }

  /** @internal The layered storage: push/pop for per-test isolation. */
  get storageLayers(): LayeredBackend {
    return this.#storage;
  }

  /** @internal The namespace identity of an id. */
  static namespaceOf(id: DurableObjectId): string {
    return namespaceOf(id);
  }

  async #loaded(): Promise<LoadedWorker | undefined> {
    if (this.#disposed) {
      throw new DuraboxError("ERR_DISPOSED", "This Durabox has been disposed: create a new one.");
    }
    return this.#ready;
  }

  async #load(): Promise<LoadedWorker | undefined> {
    const { source } = this.#options;
    if (source === undefined) return undefined;
    const worker = await LoadedWorker.load(this.#options.name, source, this.#env, {
      nodejsCompat: this.#options.compatibilityFlags.includes("nodejs_compat"),
      trackBackground: (promise) => this.#runtime.trackBackground(promise),
    });
    // Check every binding's class now, so a typo fails at start, not at first use.
    for (const { className, scriptName } of this.#options.durableObjects) {
      if (scriptName === undefined || scriptName === this.#options.name) worker.objectClass(className);
    }
    this.#worker = worker;
    return worker;
  }
}
