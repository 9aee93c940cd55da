import { describe, expect, it } from "vitest";
import { formatBookmark } from "../../src/sql/bookmarks.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))(
  "deleteAll, the alarm and bookmarks on %s",
  (_name, driver) => {
    const populate = () => {
      const storage = openStorage(driver);
      storage.sql.exec(`
      CREATE TABLE parent(id INTEGER PRIMARY KEY AUTOINCREMENT);
      CREATE TABLE child(pid REFERENCES parent(id) ON DELETE RESTRICT);
      CREATE INDEX child_pid ON child(pid);
      CREATE VIEW kids AS SELECT * FROM child;
      CREATE TRIGGER count_kids AFTER INSERT ON child BEGIN SELECT 1; END;
      CREATE VIRTUAL TABLE docs USING fts5(body);
      INSERT INTO parent DEFAULT VALUES; INSERT INTO child VALUES (1); INSERT INTO docs VALUES ('x');
      ANALYZE;`);
      storage.kv.put("k", 1);
      storage.setAlarm(5000);
      return storage;
    };

    it("drops every table, index, view, trigger and virtual table, the key-value data and the alarm, at once", () => {
      const storage = populate();
      expect(storage.deleteAll()).toEqual({ alarm: 5000 });
      expect(storage.sql.exec("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").toArray()).toEqual([]);
      expect(storage.kv.get("k")).toBeUndefined();
      expect(storage.getAlarm()).toBeNull();
      // As after production's reset: the key-value table is gone until the next write.
      expect(thrown(() => storage.sql.exec("SELECT * FROM _cf_KV")).message).toBe("no such table: _cf_KV: SQLITE_ERROR");
      // AUTOINCREMENT starts over.
      storage.sql.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO parent DEFAULT VALUES");
      expect(storage.sql.exec("SELECT id FROM parent").one()).toEqual({ id: 1 });
    });

    it("reports databaseSize as workerd does: one page fresh, one page again after DROP TABLE and after deleteAll()", () => {
      const fresh = openStorage(driver);
      expect(fresh.sql.databaseSize).toBe(4096);
      fresh.sql.exec("CREATE TABLE t(a TEXT PRIMARY KEY, b)");
      fresh.sql.exec("INSERT INTO t VALUES ('x', randomblob(20000))");
      expect(fresh.sql.databaseSize).toBeGreaterThan(20000);
      fresh.sql.exec("DROP TABLE t");
      expect(fresh.sql.databaseSize).toBe(4096);
      const storage = populate();
      expect(storage.sql.databaseSize).toBeGreaterThan(8 * 4096);
      storage.deleteAll();
      expect(storage.sql.databaseSize).toBe(4096);
    });

    it("succeeds with unfinished cursors, which then throw workerd's message; the tables are gone", () => {
      const storage = populate();
      storage.sql.exec("INSERT INTO parent DEFAULT VALUES; INSERT INTO parent DEFAULT VALUES");
      const first = storage.sql.exec("SELECT id FROM parent");
      const second = storage.sql.exec("SELECT id FROM parent");
      // Stepped alternately: both statements stay open.
      expect(first.next().value).toEqual({ id: 1 });
      expect(second.next().value).toEqual({ id: 1 });
      expect(first.next().value).toEqual({ id: 2 });
      const many = storage.sql.exec("SELECT id FROM parent");
      expect(thrown(() => many.one()).message).toBe("Expected exactly one result from SQL query, but got multiple results.");
      const raw = storage.sql.exec("SELECT id FROM parent").raw();
      storage.deleteAll();
      expect(storage.sql.exec("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").toArray()).toEqual([]);
      const canceled = "SQLite query was canceled because the database was deleted.";
      expect(thrown(() => first.next()).message).toBe(canceled);
      expect(thrown(() => second.toArray()).message).toBe(canceled);
      expect(thrown(() => raw.next()).message).toBe(canceled);
      // The same texts run again on the new (empty) database.
      storage.sql.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY)");
      expect(storage.sql.exec("SELECT id FROM parent").toArray()).toEqual([]);
    });

    it("a layer's pop() succeeds with unfinished cursors over tables the layer created", () => {
      const storage = openStorage(driver);
      storage.push();
      storage.sql.exec("CREATE TABLE t(a); INSERT INTO t VALUES (1), (2), (3)");
      const open = storage.sql.exec("SELECT a FROM t");
      expect(open.next().value).toEqual({ a: 1 });
      storage.pop();
      expect(storage.sql.exec("SELECT count(*) AS n FROM sqlite_schema WHERE name = 't'").one()).toEqual({ n: 0 });
      storage.push();
      storage.sql.exec("CREATE TABLE t(a); INSERT INTO t VALUES (7)");
      expect(storage.sql.exec("SELECT a FROM t").toArray()).toEqual([{ a: 7 }]);
      storage.pop();
    });

    it("keeps the alarm when asked (delete_all_preserves_alarm)", () => {
      const storage = populate();
      expect(storage.deleteAll({ keepAlarm: true })).toEqual({ alarm: 5000 });
      expect(storage.getAlarm()).toBe(5000);
    });

    it("is refused inside transactionSync and rolled back with a layer", () => {
      const storage = populate();
      expect(thrown(() => storage.transactionSync(() => storage.deleteAll())).message).toBe("Cannot call deleteAll() within a transaction");
      storage.push();
      storage.deleteAll();
      storage.pop();
      expect(storage.kv.get("k")).toBe(1);
      expect(storage.sql.exec("SELECT count(*) AS n FROM kids").one()).toEqual({ n: 1 });
    });

    it("stores the alarm in _cf_METADATA as production does (nanoseconds, key 1)", () => {
      const storage = openStorage(driver);
      expect(storage.getAlarm()).toBeNull();
      storage.setAlarm(1_700_000_000_123);
      expect(storage.getAlarm()).toBe(1_700_000_000_123);
      const [value, type] = storage.db.queryOne("SELECT CAST(value AS TEXT), typeof(value) FROM _cf_METADATA WHERE key = 1")!;
      expect([value, type]).toEqual(["1700000000123000000", "integer"]);
      storage.deleteAlarm();
      expect(storage.getAlarm()).toBeNull();
    });

    it("bookmarks count up from zeros per call, sort in order, and return to zeros after deleteAll()", () => {
      const storage = openStorage(driver);
      const zero = "00000000-00000000-00000000-00000000000000000000000000000000";
      expect(storage.getCurrentBookmark()).toBe(zero);
      expect(storage.getCurrentBookmark()).toBe("00000000-00000001-00000000-00000000000000000000000000000000");
      const bookmarks = [formatBookmark(9), formatBookmark(10), formatBookmark(255), formatBookmark(0xffffffff + 2)];
      expect([...bookmarks].sort()).toEqual(bookmarks);
      expect(bookmarks[3]).toBe("00000001-00000002-00000000-00000000000000000000000000000000");
      storage.deleteAll();
      expect(storage.getCurrentBookmark()).toBe(zero);
    });
  },
);
