import type { SqliteDatabase } from "./database.js";

/** The shadow tables SQLite's modules keep for a virtual table named `name`. */
const SHADOW_SUFFIXES: Record<string, readonly string[]> = {
  fts5: ["_data", "_idx", "_content", "_docsize", "_config"],
  rtree: ["_node", "_rowid", "_parent"],
  rtree_i32: ["_node", "_rowid", "_parent"],
};

export interface VirtualTables {
  /** Virtual table name -> its module, lower case. */
  readonly modules: Map<string, string>;
  /** Lower-case names of their shadow tables. */
  readonly shadows: Set<string>;
}

export function virtualTables(db: SqliteDatabase): VirtualTables {
  const modules = new Map<string, string>();
  const shadows = new Set<string>();
  for (const [name, sql] of db.query("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")) {
    const module = /\bUSING\s+(\w+)/i.exec(String(sql))?.[1]?.toLowerCase() ?? "";
    modules.set(String(name), module);
    for (const suffix of SHADOW_SUFFIXES[module] ?? []) shadows.add(`${String(name)}${suffix}`.toLowerCase());
  }
  return { modules, shadows };
}
