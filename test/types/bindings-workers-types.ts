/**
 * Type test (compiled by `npm run typecheck`, never run): durabox's KV
 * namespace satisfies @cloudflare/workers-types' interface for the writing
 * and listing methods, so code typed for Workers accepts what
 * getKVNamespace() returns there. `get`/`getWithMetadata` are typed by one
 * overload per form (single key, many keys), not workers-types' one per value
 * type; Cache's methods take the platform's Response, not workers-types' own.
 */
import type { KVNamespace as CfKVNamespace } from "@cloudflare/workers-types";
import type { KVNamespace } from "../../src/bindings/kv/namespace.js";
import type {
  Cache as DuraboxCache,
  CacheStorage as DuraboxCacheStorage,
  KVNamespace as DuraboxKV,
  KVPutOptions,
} from "../../src/index.js";

export function kvAsWorkersTypes(kv: KVNamespace): Pick<CfKVNamespace, "put" | "delete" | "list"> {
  return kv;
}

// KV's and the Cache API's types are exported from "durabox" as R2's and D1's are.
export const kvPut = (kv: DuraboxKV, options: KVPutOptions): Promise<void> => kv.put("k", "v", options);
export const openCache = (caches: DuraboxCacheStorage): Promise<DuraboxCache> => caches.open("named");
