import type { DuraboxOptions } from "./options.js";
import type { ObjectRuntime } from "./objects/runtime.js";
import { DurableObjectId } from "./objects/id.js";
import type { DuraboxHost } from "./durabox-host.js";
import { DuraboxError } from "./base/errors.js";
import type { DurableObjectNamespace } from "./objects/namespace.js";
import type { ObjectStorage } from "./objects/object-storage.js";
import type { D1Database } from "./bindings/d1/database.js";
import type { R2Bucket } from "./bindings/r2/bucket.js";
import type { KVNamespace } from "./bindings/kv/namespace.js";
import type { CacheStorage } from "./bindings/cache/cache-storage.js";
import { DuraboxRuntime } from "./runtime/composition.js";

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
 * The parts and their wiring are `DuraboxRuntime` (runtime/composition.ts);
 * this is their public face.
 */
export class Durabox {
  readonly #runtime: DuraboxRuntime;

  constructor(options?: DuraboxOptions);
  /** @internal A test runner hosting the runtime passes where and how to load code. */
  constructor(options: DuraboxOptions, host: DuraboxHost);
  constructor(options: DuraboxOptions = {}, host: DuraboxHost = {}) {
    this.#runtime = new DuraboxRuntime(options, host);
  }

  /** Resolves once every worker's code is loaded and its classes checked; rejects with what is wrong. */
  get ready(): Promise<void> {
    return this.#runtime.ready;
  }

  /** Sends a request to the entry worker's fetch handler. */
  dispatchFetch(input: Request | string | URL, init?: RequestInit): ResponsePromise {
    return responsePromise(
      (async () => {
        await this.#runtime.whenReady();
        const worker = this.#runtime.loaded();
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
    await this.#runtime.whenReady();
    return this.#runtime.env(workerName) as Env;
  }

  /** A Durable Object namespace binding: the entry worker's, else the first worker declaring it. */
  async getDurableObjectNamespace(bindingName: string, workerName?: string): Promise<DurableObjectNamespace> {
    await this.#runtime.whenReady();
    return this.#runtime.binding("durableObject", bindingName, workerName);
  }

  /** A D1 database binding: the entry worker's, else the first worker declaring it. */
  async getD1Database(bindingName: string, workerName?: string): Promise<D1Database> {
    await this.#runtime.whenReady();
    return this.#runtime.binding("d1", bindingName, workerName);
  }

  /** An R2 bucket binding (`env[binding]`): the entry worker's, else the first worker declaring it. */
  async getR2Bucket(binding: string, workerName?: string): Promise<R2Bucket> {
    await this.#runtime.whenReady();
    return this.#runtime.binding("r2", binding, workerName);
  }

  /** The storage of the object with this id, without constructing the object. */
  async getDurableObjectStorage(id: DurableObjectId): Promise<ObjectStorage> {
    await this.#runtime.whenReady();
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError(
        "getDurableObjectStorage() expects a DurableObjectId, from namespace.idFromName(), idFromString() or newUniqueId().",
      );
    }
    return this.#runtime.objects.storage(id);
  }

  /** A KV namespace binding (Miniflare 3's name): the entry worker's, else the first worker declaring it. */
  async getKVNamespace(bindingName: string, workerName?: string): Promise<KVNamespace> {
    await this.#runtime.whenReady();
    return this.#runtime.binding("kv", bindingName, workerName);
  }

  /** The Cache API (`caches`) worker code sees (Miniflare 3's name). */
  async getCaches(): Promise<CacheStorage> {
    await this.#runtime.whenReady();
    return this.#runtime.caches;
  }

  async dispose(): Promise<void> {
    await this.#runtime.dispose();
  }

  /** @internal The parts behind this façade: what the test environments and the CLI drive. */
  get internals(): DuraboxRuntime {
    return this.#runtime;
  }

  /** @internal The object runtime (`internals.objects`). */
  get runtime(): ObjectRuntime {
    return this.#runtime.objects;
  }

  /** @internal A worker's exports as loopback bindings (`internals.workerExports`): what `ctx.exports` is. */
  workerExports(workerName?: string): object {
    return this.#runtime.workerExports(workerName);
  }
}
