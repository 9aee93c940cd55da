import type { ObjectStore } from "../../storage/backend.js";
import { SECRETS_STORE_ADMIN, type SecretsStoreSecretAdmin } from "./admin.js";

/** One secret as stored: its value and the id the admin API names it by. */
interface StoredSecret {
  readonly value: string;
  readonly id: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function decode(bytes: Uint8Array): StoredSecret {
  return JSON.parse(decoder.decode(bytes)) as StoredSecret;
}

/** A fresh secret id: 32 hex digits, as local workerd's admin API makes them. */
function newId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

function requireString(method: string, name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`adminSecretsStore(): ${method}() expects ${name} to be a string, got ${value === null ? "null" : typeof value}.`);
  }
  return value;
}

/**
 * A Secrets Store binding (`env.API_KEY`): `get()` reads one secret of one
 * store, or rejects when the store has no secret of that name, with local
 * workerd's message (production documents only that it throws). The store's
 * secrets are the keys of one store of the bindings' data, so they roll back
 * with each test and persist as KV data does.
 */
export class SecretsStoreSecret {
  readonly #store: ObjectStore;
  readonly #name: string;

  constructor(store: ObjectStore, secretName: string) {
    this.#store = store;
    this.#name = secretName;
  }

  async get(): Promise<string> {
    const [bytes] = await this.#store.get([this.#name]);
    if (bytes === undefined) throw new Error(`Secret "${this.#name}" not found`);
    return decode(bytes).value;
  }

  /** The admin API (`adminSecretsStore()` from cloudflare:test). */
  [SECRETS_STORE_ADMIN](): SecretsStoreSecretAdmin {
    const store = this.#store;
    const put = async (name: string, value: string, id: string): Promise<string> => {
      await store.commit({ puts: [[name, encoder.encode(JSON.stringify({ value, id } satisfies StoredSecret))]] });
      return id;
    };
    const all = async (): Promise<[string, StoredSecret][]> =>
      (await store.list({})).map(([name, bytes]) => [name, decode(bytes)] as [string, StoredSecret]);
    const named = async (method: string, id: unknown): Promise<[string, StoredSecret]> => {
      requireString(method, "id", id);
      const found = (await all()).find(([, secret]) => secret.id === id);
      if (found === undefined) throw new Error("Secret not found");
      return found;
    };
    return {
      create: async (value) => put(this.#name, requireString("create", "value", value), newId()),
      update: async (value, id) => {
        requireString("update", "value", value);
        const [name] = await named("update", id);
        return put(name, value, id);
      },
      duplicate: async (id, newName) => {
        requireString("duplicate", "newName", newName);
        const [, secret] = await named("duplicate", id);
        return put(newName, secret.value, newId());
      },
      delete: async (id) => {
        const [name] = await named("delete", id);
        await store.commit({ deletes: [name] });
      },
      list: async () => (await all()).map(([name, secret]) => ({ name, metadata: { uuid: secret.id } })),
      get: async (id) => (await named("get", id))[0],
      // Nothing to release: the admin API holds no stub (the plugin's releases workerd's RPC stubs).
      [Symbol.dispose]: () => {},
    };
  }
}
