import type { SqliteDatabase } from "./database.js";
import type { TransactionStack } from "./transactions.js";

const SAVEPOINT = "_dbx_delete_all";

/**
 * deleteAll() of a SQLite-backed object: every user table, index, trigger
 * and view, the key-value table and the metadata (alarm, bookmark) go, in
 * one savepoint, so it happens entirely or not at all. Production deletes
 * the database file; here the file stays (a test layer may be open below),
 * emptied. Foreign keys are deferred while dropping, so tables can go in any
 * order.
 */
export function dropEverything(db: SqliteDatabase, transactions: TransactionStack, keep: readonly string[] = []): void {
  transactions.beforeWrite();
  db.exec(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const deferred = Number(db.queryOne("PRAGMA defer_foreign_keys")?.[0] ?? 0);
    db.exec("PRAGMA defer_foreign_keys = ON");
    try {
      dropAll(db, "trigger", keep);
      dropAll(db, "view", keep);
      // Virtual tables first: dropping one drops its shadow tables.
      dropAll(db, "table", keep, "sql LIKE 'CREATE VIRTUAL TABLE%'");
      dropAll(db, "table", keep);
      if (db.hasTable("sqlite_sequence")) {
        db.exec("DELETE FROM sqlite_sequence");
        db.sequenceTableLeftOver();
      }
    } finally {
      db.exec(`PRAGMA defer_foreign_keys = ${deferred ? "ON" : "OFF"}`);
    }
    db.exec(`RELEASE ${SAVEPOINT}`);
  } catch (error) {
    db.exec(`ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}`);
    throw error;
  } finally {
    db.schemaChanged();
  }
}

function dropAll(db: SqliteDatabase, type: "trigger" | "view" | "table", keep: readonly string[], condition = "1"): void {
  // Newest first: a table referencing another was usually created after it.
  const rows = db.query(
    `SELECT name FROM sqlite_schema WHERE type = ? AND ${condition} AND (name NOT LIKE 'sqlite\\_%' ESCAPE '\\' OR name LIKE 'sqlite\\_stat%' ESCAPE '\\') ORDER BY rowid DESC`,
    [type],
  );
  for (const [name] of rows) {
    if (keep.includes(name as string)) continue;
    // A virtual table dropped earlier took its shadow tables with it (views and triggers are dropped IF EXISTS).
    if (type === "table" && !db.hasTable(name as string)) continue;
    db.exec(`DROP ${type.toUpperCase()} IF EXISTS "${String(name).replaceAll('"', '""')}"`);
  }
}
