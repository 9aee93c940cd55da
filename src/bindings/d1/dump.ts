import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "../../base/path.js";
import { SqliteDatabase } from "../../sql/database.js";
import { restoreSnapshot, takeSnapshot } from "../../sql/snapshots.js";
import { TransactionStack } from "../../sql/transactions.js";

/**
 * `dump()`: the database as a SQLite file's bytes. The file is written anew
 * from a logical copy (schema and rows), as neither VACUUM INTO nor a backup
 * may run while a test layer's savepoint is open; the copy is of what the
 * caller sees, layers included. durabox's own metadata table is left out.
 */
export function dumpDatabase(db: SqliteDatabase): ArrayBuffer {
  const snapshot = takeSnapshot(db);
  const directory = mkdtempSync(path.join(tmpdir(), "durabox-d1-dump-"));
  try {
    const file = path.join(directory, "dump.sqlite");
    const copy = new SqliteDatabase({ location: file, driver: db.driver });
    try {
      const transactions = new TransactionStack(copy, { scheduleCommit: () => {} });
      restoreSnapshot(copy, transactions, snapshot);
      transactions.commit();
      // One file: the write-ahead log folded back in.
      copy.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
    } finally {
      copy.close();
    }
    const bytes = readFileSync(file);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
