/**
 * Type test (compiled by `npm run typecheck`, never run): durabox's ids,
 * storage and transactions satisfy @cloudflare/workers-types' interfaces, so
 * code typed for Workers accepts them. Members of later features (SQLite
 * storage, WebSocket hibernation) are left out until they exist.
 */
import type {
  DurableObjectId as CfId,
  DurableObjectStorage as CfStorage,
  DurableObjectTransaction as CfTransaction,
} from "@cloudflare/workers-types";
import type { DurableObjectId, DurableObjectStorage, DurableObjectTransaction } from "../../src/index.js";

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
