import { copyFileSync, existsSync, renameSync, truncateSync } from "node:fs";
import * as path from "../base/path.js";
import { repairPersistenceDirectory as repairLogs, type RepairedDatabase, type RepairReport } from "../storage/backends/file-repair.js";
import { SQL_LIMITS } from "./limits.js";
import { loadSqliteDriver } from "./load-driver.js";
import { scanWal } from "./wal-check.js";

/**
 * `durabox repair` for a whole persistence directory: the key-value logs
 * (storage/backends/file-repair.ts) and the SQLite-backed objects' files.
 */
export function repairPersistenceDirectory(directory: string): RepairReport {
  return repairLogs(directory, repairSqliteObject);
}

/**
 * One SQLite-backed object's files: a -wal damaged before its end is cut
 * after its last whole commit before the damage and checkpointed into
 * db.sqlite, the originals copied aside first as `<name>.corrupt-<time>`; a
 * db.sqlite SQLite cannot read is moved aside, unrecoverable. Undefined when
 * nothing was damaged. Nothing is deleted.
 */
export function repairSqliteObject(objectDirectory: string, suffix: string): Omit<RepairedDatabase, "namespace" | "id"> | undefined {
  const database = path.join(objectDirectory, "db.sqlite");
  const wal = `${database}-wal`;
  if (!existsSync(database)) return undefined;
  const damage = scanWal(wal);
  const keptAside: string[] = [];
  const aside = (file: string, move: boolean): void => {
    if (!existsSync(file)) return;
    const copy = freeName(`${file}.corrupt-${suffix}`);
    if (move) renameSync(file, copy);
    else copyFileSync(file, copy);
    keptAside.push(copy);
  };
  if (damage !== undefined) {
    aside(database, false);
    aside(wal, false);
    // The -shm indexes the old -wal: SQLite rebuilds it.
    aside(`${database}-shm`, true);
    truncateSync(wal, damage.keepBytes);
  }
  const problem = unreadable(database);
  if (problem !== undefined) {
    aside(database, true);
    aside(wal, true);
    return { database, keptAside, unrecoverable: problem, wal: damage };
  }
  if (damage === undefined) return undefined;
  return { database, keptAside, wal: damage };
}

/** Why SQLite cannot read `database` (checkpointing its -wal into it), or undefined when it can. */
function unreadable(database: string): string | undefined {
  try {
    const connection = loadSqliteDriver().open(database, { limits: SQL_LIMITS, authorizer: () => true });
    try {
      connection.exec("PRAGMA journal_mode = WAL; SELECT count(*) FROM sqlite_schema; PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      connection.close();
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function freeName(base: string): string {
  let name = base;
  for (let n = 2; existsSync(name); n++) name = `${base}-${n}`;
  return name;
}
