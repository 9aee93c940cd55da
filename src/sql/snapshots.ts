import type { SqliteDatabase } from "./database.js";
import { dropEverything } from "./delete-all.js";
import type { DriverRow, DriverValue } from "./driver.js";
import { virtualTables } from "./virtual-tables.js";
import { METADATA_TABLE } from "./metadata.js";
import type { TransactionStack } from "./transactions.js";

/**
 * A logical copy of an object's database (schema and rows), for restoring it
 * to a bookmark within the process's life. It costs nothing per write and
 * O(size) when taken; it is made of SQL only, so it works on every driver and
 * inside a test layer (a restore is then undone by pop() like any change).
 *
 * Virtual tables are copied through their own interface (their rows, re-inserted),
 * not through their shadow tables, which defensive mode keeps read-only. The
 * metadata (alarm, bookmark counter) is not part of it: a restore keeps both.
 */
export interface Snapshot {
  /** sqlite_schema entries in creation order: [type, name, sql]. */
  readonly schema: readonly (readonly [type: string, name: string, sql: string])[];
  /** Per table (ordinary and virtual): its column list and rows (rowid first). */
  readonly tables: readonly TableCopy[];
  readonly sequence: readonly DriverRow[];
}

interface TableCopy {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly DriverRow[];
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export function takeSnapshot(db: SqliteDatabase): Snapshot {
  const { modules, shadows } = virtualTables(db);
  const schema: [string, string, string][] = [];
  const tables: TableCopy[] = [];
  for (const [type, name, sql] of db.query("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid")) {
    const table = String(name);
    if (table === METADATA_TABLE || table.startsWith("sqlite_") || shadows.has(table.toLowerCase())) continue;
    schema.push([String(type), table, String(sql)]);
    if (type !== "table") continue;
    // Generated columns cannot be inserted; hidden columns of virtual tables are not data.
    const columns = db.query("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0", [table]).map(([column]) => String(column));
    const module = modules.get(table);
    // The rowid is kept, except where it is already a column (R*Tree's id) or there is none.
    const keepsRowid = module === undefined ? !/\bWITHOUT\s+ROWID\s*;?\s*$/i.test(String(sql)) : module === "fts5";
    const selected = keepsRowid ? ["rowid", ...columns] : columns;
    const rows = db.query(`SELECT ${selected.map(columnSql).join(", ")} FROM ${quote(table)}`);
    tables.push({ name: table, columns: selected, rows });
  }
  const hasSequence = db.hasTable("sqlite_sequence");
  const sequence = hasSequence ? db.query("SELECT name, seq FROM sqlite_sequence") : [];
  return { schema, tables, sequence };
}

/** Replaces the database's contents with the snapshot's, atomically, keeping the metadata. */
export function restoreSnapshot(db: SqliteDatabase, transactions: TransactionStack, snapshot: Snapshot): void {
  transactions.transactionSync(() => {
    dropEverything(db, transactions, [METADATA_TABLE]);
    const deferred = Number(db.queryOne("PRAGMA defer_foreign_keys")?.[0] ?? 0);
    db.exec("PRAGMA defer_foreign_keys = ON");
    try {
      // Tables, then their rows, then what indexes or reacts to rows.
      for (const [type, , sql] of snapshot.schema) if (type === "table") db.exec(sql);
      for (const table of snapshot.tables) {
        const placeholders = table.columns.map(() => "?").join(", ");
        const insert = `INSERT INTO ${quote(table.name)} (${table.columns.map(columnSql).join(", ")}) VALUES (${placeholders})`;
        for (const row of table.rows) db.run(insert, row as DriverValue[]);
      }
      for (const [type, , sql] of snapshot.schema) if (type !== "table") db.exec(sql);
      // Loading rows moved AUTOINCREMENT counters on; put back the copied ones.
      if (snapshot.sequence.length > 0) db.exec("DELETE FROM sqlite_sequence");
      for (const row of snapshot.sequence) db.run("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", row as DriverValue[]);
    } finally {
      db.exec(`PRAGMA defer_foreign_keys = ${deferred ? "ON" : "OFF"}`);
    }
  });
  db.schemaChanged();
}

function columnSql(column: string): string {
  return column === "rowid" ? "rowid" : quote(column);
}
