// Shared by the SQLite workloads (8a-8c): a SQLite-backed class, the table they fill, and the floor, the
// same SQLite driver durabox picks in this Node (node:sqlite where usable, else better-sqlite3) used directly.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const rootRequire = createRequire(path.join(ROOT, "package.json"));

// The object's own code never runs: the workloads reach its database from outside, which is the same
// SqlStorage the object gets as ctx.storage.sql (sql-exec checks that).
export const ITEMS_SCRIPT = `
export class Items {
  constructor(ctx) { this.ctx = ctx; }
  async fetch() { return new Response("ok"); }
}
export default { fetch() { return new Response("ok"); } };
`;

/** Durabox options with Items as a SQLite-backed class (a binding's useSQLite). */
export const itemsOptions = () => ({
  modules: true,
  script: ITEMS_SCRIPT,
  durableObjects: { ITEMS: { className: "Items", useSQLite: true } },
});

export const CREATE_ITEMS = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)";
export const SEED_ITEM = "INSERT INTO items (id, name, value) VALUES (?, ?, ?)";
export const INSERT_ITEM = "INSERT INTO items (name, value) VALUES (?, ?)";
export const SELECT_ITEM = "SELECT id, name, value FROM items WHERE id = ?";
export const COUNT_ITEMS = "SELECT count(*) AS n FROM items";

/** The row every workload seeds and checks: ids 1..n. */
export const itemName = (id) => `item ${id}`;

/** Seeds ids 1..rows in one synchronous run (one transaction) through `insert(id, name, value)`. */
export function seedItems(insert, rows) {
  for (let id = 1; id <= rows; id++) insert(id, itemName(id), id / 2);
}

/** node:sqlite's module where durabox would use it (22.16+: rows as arrays), else undefined. */
function usableNodeSqlite() {
  const sqlite = process.getBuiltinModule?.("node:sqlite");
  return typeof sqlite?.StatementSync?.prototype?.setReturnArrays === "function" ? sqlite : undefined;
}

/**
 * The floor's driver: what durabox loads in this Node, used directly, in its default configuration.
 * Both drivers have the same shape for what the workloads use: `prepare(sql).run/get(...)`, `exec(sql)`.
 */
export function rawDriver() {
  const nodeSqlite = usableNodeSqlite();
  const open = nodeSqlite ? () => new nodeSqlite.DatabaseSync(":memory:") : () => new (rootRequire("better-sqlite3"))(":memory:");
  const probe = open();
  const sqliteVersion = probe.prepare("SELECT sqlite_version() AS v").get().v;
  probe.close();
  const name = nodeSqlite
    ? `node:sqlite (Node ${process.versions.node})`
    : `better-sqlite3 ${rootRequire("better-sqlite3/package.json").version}`;
  return { name: `${name}, SQLite ${sqliteVersion}`, open };
}

/** The driver durabox loaded in this process: better-sqlite3 if it was required, else node:sqlite. */
export function driverDuraboxLoaded() {
  const loaded = Object.keys(rootRequire.cache).some((file) => file.includes(`${path.sep}better-sqlite3${path.sep}`));
  return loaded ? "better-sqlite3" : "node:sqlite";
}
