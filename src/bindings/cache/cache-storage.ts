import type { BindingData } from "../binding-data.js";
import { Cache, type ResponseClass } from "./cache.js";

/** The backend name of `caches.default`: named caches are prefixed, so no name reaches it. */
const DEFAULT = "default";

/**
 * `caches`: the default cache and named ones, each its own store of the
 * runtime's cache data. With the `cache` option false every cache stores
 * nothing and matches nothing (Miniflare 2's `cache: false`).
 */
export class CacheStorage {
  readonly #data: BindingData;
  readonly #enabled: boolean;
  readonly #responseClass: () => ResponseClass;
  readonly #caches = new Map<string, Cache>();

  /** @internal Made by the runtime. */
  constructor(data: BindingData, options: { readonly enabled: boolean; readonly responseClass: () => ResponseClass }) {
    this.#data = data;
    this.#enabled = options.enabled;
    this.#responseClass = options.responseClass;
  }

  get default(): Cache {
    return this.#cache(DEFAULT);
  }

  async open(cacheName: string): Promise<Cache> {
    return this.#cache(`named:${String(cacheName)}`);
  }

  #cache(name: string): Cache {
    let cache = this.#caches.get(name);
    if (cache === undefined) {
      cache = new Cache(this.#data.store(name), this.#enabled, this.#responseClass);
      this.#caches.set(name, cache);
    }
    return cache;
  }
}
