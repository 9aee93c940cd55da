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
