import type { SqliteDatabase } from "./database.js";
import { sqlError } from "./sql-errors.js";
import { keyword, nameOf, type Token } from "./tokenizer.js";

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

/**
 * What SQLite's defensive mode refuses about shadow tables before the
 * statement runs, for drivers without it: dropping one ("table f_config may
 * not be dropped"), altering one, and triggers on one. Writing one is found
 * in the compiled program (explain-checks.ts).
 */
export function shadowTableRefusal(db: SqliteDatabase, tokens: readonly Token[], bodyStart: number): Error | undefined {
  const leading = keyword(tokens[bodyStart]);
  let at = bodyStart + 1;
  let refusal: (name: string) => string;
  if ((leading === "DROP" || leading === "ALTER") && keyword(tokens[at]) === "TABLE") {
    at++;
    if (leading === "DROP" && keyword(tokens[at]) === "IF" && keyword(tokens[at + 1]) === "EXISTS") at += 2;
    refusal = (name) => `table ${name} may not be ${leading === "DROP" ? "dropped" : "altered"}`;
  } else if (leading === "CREATE" && tokens.some((token, i) => i > bodyStart && i < bodyStart + 3 && keyword(token) === "TRIGGER")) {
    at = tokens.findIndex((token, i) => i > bodyStart && keyword(token) === "ON") + 1;
    if (at === 0) return undefined;
    refusal = () => "cannot create triggers on shadow tables";
  } else {
    return undefined;
  }
  if (tokens[at + 1]?.text === ".") at += 2;
  const name = nameOf(tokens[at]);
  if (name === undefined || !virtualTables(db).shadows.has(name.toLowerCase())) return undefined;
  const stored = db.queryOne("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE", [name]);
  return stored === undefined ? undefined : sqlError(refusal(String(stored[0])), "SQLITE_ERROR");
}
