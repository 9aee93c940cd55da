import type { SqliteDatabase } from "./database.js";
import { keyword, nameOf, type Token } from "./tokenizer.js";

/**
 * `rowsRead`/`rowsWritten` as production counts them. workerd's SQLite is
 * patched (patches/sqlite/0001-row-counts-plain.patch) to count, per
 * statement, every b-tree row the program visits (Rewind, Next, Seek*, Last,
 * Count's rows) and writes (Insert, IdxInsert, Delete, Clear; not on
 * ephemeral tables), schema and index rows included. No driver exposes such a
 * counter, so the counts are derived from what the statement is and what it
 * changed, matching the patched SQLite 3.53 (a C program built with the patch)
 * for the shapes below; docs/sqlite.md lists where they differ.
 */
export type CountedKind =
  | {
      readonly kind: "insert" | "update" | "delete";
      readonly table: string | undefined;
      readonly setColumns: readonly string[];
      readonly where: boolean;
    }
  | { readonly kind: "create-table" | "create-index" | "create-trigger" | "drop" | "alter-add" | "alter" | "other" };

const CONFLICT = new Set(["OR", "ROLLBACK", "ABORT", "REPLACE", "FAIL", "IGNORE"]);
const SET_END = new Set(["WHERE", "FROM", "RETURNING", "ORDER", "LIMIT"]);

/** What a statement is, for counting (from its tokens, once per text). */
export function countedKind(tokens: readonly Token[], bodyStart: number): CountedKind {
  const at = (i: number) => keyword(tokens[bodyStart + i]);
  const first = at(0);
  if (first === "INSERT" || first === "REPLACE") {
    let i = bodyStart + 1;
    while (CONFLICT.has(keyword(tokens[i]) ?? "")) i++;
    if (keyword(tokens[i]) === "INTO") i++;
    return { kind: "insert", table: tableAt(tokens, i), setColumns: [], where: false };
  }
  if (first === "UPDATE") {
    let i = bodyStart + 1;
    if (keyword(tokens[i]) === "OR") i += 2;
    return { kind: "update", table: tableAt(tokens, i), setColumns: setColumns(tokens, i), where: hasWord(tokens, i, "WHERE") };
  }
  if (first === "DELETE")
    return { kind: "delete", table: tableAt(tokens, bodyStart + 2), setColumns: [], where: hasWord(tokens, bodyStart, "WHERE") };
  if (first === "CREATE") {
    let i = 1;
    if (at(i) === "UNIQUE") i++;
    if (at(i) === "TABLE" || at(i) === "VIEW") return { kind: "create-table" };
    if (at(i) === "INDEX") return { kind: "create-index" };
    if (at(i) === "TRIGGER") return { kind: "create-trigger" };
    return { kind: "other" };
  }
  if (first === "DROP") return { kind: "drop" };
  if (first === "ALTER") return { kind: hasWord(tokens, bodyStart, "ADD") ? "alter-add" : "alter" };
  return { kind: "other" };
}

/** The table name at `i` (`t`, `"t"`, `main.t`), lower case. */
function tableAt(tokens: readonly Token[], i: number): string | undefined {
  if (tokens[i + 1]?.text === ".") i += 2;
  return nameOf(tokens[i])?.toLowerCase();
}

function hasWord(tokens: readonly Token[], from: number, word: string): boolean {
  for (let i = from; i < tokens.length; i++) if (keyword(tokens[i]) === word) return true;
  return false;
}

/** The columns an UPDATE sets: `a = …`, `(a, b) = …` at the top level of its SET clause. */
function setColumns(tokens: readonly Token[], from: number): string[] {
  const columns: string[] = [];
  let i = tokens.findIndex((token, j) => j >= from && keyword(token) === "SET");
  if (i < 0) return columns;
  let depth = 0;
  let list: string[] = [];
  for (i++; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.text === "(") {
      depth++;
      if (depth === 1) list = [];
    } else if (token.text === ")") {
      depth--;
      if (depth === 0 && tokens[i + 1]?.text === "=") columns.push(...list);
    } else if (depth === 0 && SET_END.has(keyword(token) ?? "")) break;
    else if (depth === 0 && tokens[i + 1]?.text === "=" && (tokens[i - 1]?.text === "," || keyword(tokens[i - 1]) === "SET")) {
      const name = nameOf(token);
      if (name !== undefined) columns.push(name.toLowerCase());
    } else if (depth === 1 && token.kind !== "operator") {
      const name = nameOf(token);
      if (name !== undefined) list.push(name.toLowerCase());
    }
  }
  return columns;
}

/**
 * Rows written per row an INSERT/UPDATE/DELETE changes: the row itself and
 * each index entry it inserts (SQLite's IdxDelete is not counted, so a
 * DELETE writes one per row). A WITHOUT ROWID table's primary key is the
 * table itself.
 */
export function writtenPerRow(db: SqliteDatabase, counted: CountedKind): number {
  if (counted.kind !== "insert" && counted.kind !== "update") return 1;
  if (counted.table === undefined) return 1;
  const withoutRowid =
    Number(db.queryOne("SELECT wr FROM pragma_table_list WHERE name = ? COLLATE NOCASE", [counted.table])?.[0] ?? 0) === 1;
  let written = 1;
  for (const [name, origin] of db.query("SELECT name, origin FROM pragma_index_list(?)", [counted.table])) {
    if (withoutRowid && origin === "pk") continue;
    if (counted.kind === "insert") {
      written++;
      continue;
    }
    // An UPDATE rewrites the indexes holding a column it sets (or an expression, which may use one).
    const columns = db
      .query("SELECT name FROM pragma_index_info(?)", [name as string])
      .map((row) => (row[0] as string | null)?.toLowerCase() ?? null);
    if (columns.some((column) => column === null || counted.setColumns.includes(column))) written++;
  }
  return written;
}

/** Whether the table uses AUTOINCREMENT: an insert then reads and writes its sqlite_sequence row. */
export function autoincrements(db: SqliteDatabase, table: string | undefined): boolean {
  if (table === undefined) return false;
  const sql = db.queryOne("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE", [table])?.[0];
  return typeof sql === "string" && /\bAUTOINCREMENT\b/i.test(sql);
}

/** Rows of sqlite_schema: all of them, and the indexes among them. */
export interface SchemaRows {
  readonly all: number;
  readonly indexes: number;
}

/** What a schema statement reads and writes, from the schema before and after it ran. */
export function schemaCounts(
  counted: CountedKind,
  before: SchemaRows,
  after: SchemaRows,
  indexedRows: () => number,
): { read: number; written: number } {
  const indexes = after.indexes - before.indexes;
  const others = after.all - before.all - indexes;
  switch (counted.kind) {
    case "create-table":
      // Each table or view (sqlite_sequence too, made by the first AUTOINCREMENT table): its schema
      // row is looked up, inserted, then updated with its root page and text; each automatic index inserts one row.
      return { read: Math.max(others, 0), written: Math.max(2 * others + indexes, 0) };
    case "create-index": {
      if (indexes <= 0) return { read: 0, written: 0 };
      const rows = indexedRows();
      return { read: 2 + 2 * rows, written: 1 + rows };
    }
    case "create-trigger":
      return others > 0 ? { read: 0, written: 1 } : { read: 0, written: 0 };
    case "drop":
    case "alter":
      // The schema is scanned (for dependent objects, and to rewrite it); SQLite deletes without counting.
      return { read: before.all, written: 0 };
    case "alter-add":
      return { read: before.all + 1, written: 1 };
    default:
      return { read: 0, written: 0 };
  }
}

/** The table a CREATE INDEX indexes (`ON t`). */
export function indexedTable(tokens: readonly Token[]): string | undefined {
  const on = tokens.findIndex((token) => keyword(token) === "ON");
  return on < 0 ? undefined : tableAt(tokens, on + 1);
}
