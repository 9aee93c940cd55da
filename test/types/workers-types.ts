/**
 * Type test (compiled by `npm run typecheck`, never run): durabox's ids,
 * storage and transactions satisfy @cloudflare/workers-types' interfaces, so
 * code typed for Workers accepts them. WebSocket hibernation members are left
 * out until they exist.
 */
import type {
  DurableObjectClass,
  DurableObjectFacets as CfFacets,
  DurableObjectId as CfId,
  DurableObjectState as CfState,
  DurableObjectStorage as CfStorage,
  DurableObjectTransaction as CfTransaction,
} from "@cloudflare/workers-types";
import type { DurableObjectId, DurableObjectStorage, DurableObjectTransaction } from "../../src/index.js";
import type { ObjectStorage } from "../../src/objects/object-storage.js";
import { getDurableObjectStorage, runInDurableObject } from "../../src/testing/helpers.js";

type KeyValueStorage = Pick<
  CfStorage,
  "get" | "put" | "delete" | "list" | "deleteAll" | "transaction" | "getAlarm" | "setAlarm" | "deleteAlarm" | "sync"
>;

export function asWorkersTypes(
  id: DurableObjectId,
  storage: DurableObjectStorage,
  txn: DurableObjectTransaction,
): [CfId, KeyValueStorage, CfTransaction] {
  return [id, storage, txn];
}

/** `ctx.storage` and what getDurableObjectStorage() returns: the whole of workers-types' storage, SQLite members included. */
export function objectStorageAsWorkersTypes(storage: ObjectStorage): CfStorage {
  return storage;
}

/** User code written against workers-types runs on durabox's storage. */
export async function userCode(storage: KeyValueStorage): Promise<number> {
  const n = (await storage.get<number>("n")) ?? 0;
  await storage.put("n", n + 1, { allowUnconfirmed: true });
  const page = await storage.list<number>({ prefix: "n", limit: 10, reverse: true });
  await storage.transaction(async (txn) => {
    await txn.put({ a: 1, b: 2 });
    await txn.setAlarm(new Date());
  });
  return page.size;
}

/** SQLite-backed user code typed by workers-types: sql, kv, transactionSync and bookmarks. */
export async function sqliteUserCode(storage: CfStorage): Promise<string> {
  storage.transactionSync(() => {
    storage.sql.exec("INSERT INTO t (a) VALUES (?)", 1);
    storage.kv.put("count", (storage.kv.get<number>("count") ?? 0) + 1);
  });
  const { n } = storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM t").one();
  return n > 0 ? storage.getCurrentBookmark() : storage.getBookmarkForTime(Date.now());
}

/** A test hands durabox's storage to such code, and may annotate runInDurableObject's state with workers-types' type. */
export async function testCode(stub: { id: CfId }): Promise<number> {
  await sqliteUserCode(getDurableObjectStorage(stub));
  const rows = await runInDurableObject(stub, (_instance: unknown, state: CfState) => state.storage.sql.exec("SELECT 1 AS one").toArray());
  const size = await runInDurableObject(stub, (_instance, state) => state.storage.sql.databaseSize);
  return rows.length + size;
}

/** ctx.facets as a test reaches it (runInDurableObject's state): what workers-types declares, called as user code calls it. */
export async function facetsCode(stub: { id: CfId }, child: DurableObjectClass<undefined>): Promise<Response> {
  return runInDurableObject(stub, async (_instance, state) => {
    const facets: Pick<CfFacets, "abort" | "delete" | "clone"> = state.facets;
    facets.abort("a", new Error("reason"));
    facets.clone("a", "b");
    facets.delete("b");
    const facet = state.facets.get("a", async () => ({ class: child, id: "abc" }));
    return facet.fetch("http://facet/");
  });
}
