import { sha256 } from "../base/sha256.js";
import type { IsolatedState } from "../base/isolated-state.js";
import type { ObjectStore, StorageBackend } from "../storage/backend.js";
import { LayeredBackend } from "../storage/backends/layered.js";

/**
 * One kind of binding's data (every KV namespace, or every cache) over a
 * storage backend, layered for test isolation exactly as Durable Objects'
 * storage is: each namespace (or cache) is one "object" of the backend, so
 * the memory, file and Redis backends, their atomic commits and the
 * copy-on-write layers of LayeredBackend all apply unchanged.
 */
export class BindingData implements IsolatedState {
  readonly #kind: string;
  readonly #layers: LayeredBackend;
  readonly #stores = new Map<string, ObjectStore>();

  /** `kind` names the backend namespace ("kv", "cache"): kinds sharing a backend never share data. */
  constructor(kind: string, backend: StorageBackend) {
    this.#kind = kind;
    this.#layers = new LayeredBackend(backend);
  }

  /** The store of one namespace (or cache), by its name. Cheap after the first call. */
  store(name: string): ObjectStore {
    let store = this.#stores.get(name);
    if (store === undefined) {
      store = this.#layers.object({ namespace: this.#kind, id: storeId(this.#kind, name) });
      this.#stores.set(name, store);
    }
    return store;
  }

  pushLayer(): void {
    this.#layers.push();
  }

  popLayer(): void {
    this.#layers.pop();
  }

  async deleteAll(): Promise<void> {
    const ids = new Set(await this.#layers.listObjects(this.#kind));
    for (const store of this.#stores.values()) await store.commit({ deleteAll: true });
    for (const id of ids) await this.#layers.object({ namespace: this.#kind, id }).commit({ deleteAll: true });
  }

  async dispose(): Promise<void> {
    this.#stores.clear();
    await this.#layers.close();
  }
}

/**
 * The backend id of a namespace: backends address objects by 64 hex digits
 * (a file backend makes directories of them), so any name (a KV namespace id,
 * a cache name of any characters) maps to one, distinct per kind and name.
 */
function storeId(kind: string, name: string): string {
  // SHA-256 without node:crypto: made for every binding when the runtime starts (base/sha256.ts says why).
  return Buffer.from(sha256(`${kind}\u0000${name}`)).toString("hex");
}
