import { loadSqliteDriver } from "../../src/sql/load-driver.js";
import type { DriverName, SqliteDriver } from "../../src/sql/driver.js";
import { SqliteObjectStorage, type SqliteObjectStorageOptions } from "../../src/sql/sqlite-object-storage.js";

/**
 * The SQLite drivers this Node can load: the SQL tests run once per driver
 * (on Node 20, better-sqlite3; on Node 22.16+, node:sqlite too when
 * better-sqlite3 was built for this Node's ABI).
 */
export const sqliteDrivers: SqliteDriver[] = (["node:sqlite", "better-sqlite3"] as DriverName[]).flatMap((name) => {
  try {
    return [loadSqliteDriver(name)];
  } catch {
    return [];
  }
});

if (sqliteDrivers.length === 0) throw new Error("No SQLite driver loads in this Node: install better-sqlite3 (a devDependency).");

/** A fresh in-memory object storage on `driver`; closed by the caller or left to GC. */
export function openStorage(driver: SqliteDriver, options: SqliteObjectStorageOptions = {}): SqliteObjectStorage {
  return new SqliteObjectStorage({ driver, ...options });
}

/** What `fn` throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}
