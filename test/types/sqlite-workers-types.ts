/**
 * Type test (compiled by `npm run typecheck`, never run): the SQLite storage
 * satisfies @cloudflare/workers-types' interfaces, so code typed for Workers
 * accepts `ctx.storage.sql` and `ctx.storage.kv` made by durabox.
 */
import type { SqlStorage as CfSqlStorage, SqlStorageCursor as CfCursor, SyncKvStorage as CfSyncKv } from "@cloudflare/workers-types";
import type { SqlStorageCursor } from "../../src/sql/cursor.js";
import type { SqlStorage } from "../../src/sql/sql-storage.js";
import type { SyncKvStorage } from "../../src/sql/sync-kv.js";

export function asWorkersTypes(
  sql: SqlStorage,
  kv: SyncKvStorage,
  cursor: SqlStorageCursor<{ a: number }>,
): [CfSqlStorage, CfSyncKv, CfCursor<{ a: number }>] {
  return [sql, kv, cursor];
}

/** User code written against workers-types runs on durabox's SQL storage. */
export function userCode(sql: CfSqlStorage, kv: CfSyncKv): number {
  const row = sql.exec<{ n: number }>("SELECT count(*) AS n FROM t WHERE a = ?", 1).one();
  for (const [key, value] of kv.list<number>({ prefix: "a" })) kv.put(key, value + row.n);
  const raw: [number, string][] = [...sql.exec("SELECT 1, 'x'").raw<[number, string]>()];
  return row.n + raw.length + sql.databaseSize;
}
