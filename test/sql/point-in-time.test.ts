import { describe, expect, it } from "vitest";
import { POINT_IN_TIME_RECOVERY_UNSUPPORTED } from "../../src/sql/bookmarks.js";
import type { SqliteObjectStorage } from "../../src/sql/sqlite-object-storage.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("point-in-time recovery on %s", (_name, driver) => {
  /** Everything a snapshot must carry, read back in a comparable form. */
  const contents = (storage: SqliteObjectStorage) => ({
    schema: storage.sql.exec("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE '_cf_%' ORDER BY name").toArray(),
    items: storage.sql.exec("SELECT rowid, * FROM items ORDER BY rowid").raw().toArray(),
    pairs: storage.sql.exec("SELECT * FROM pairs ORDER BY a, b").raw().toArray(),
    docs: storage.sql.exec("SELECT rowid, body FROM docs WHERE docs MATCH 'apple' ORDER BY rowid").raw().toArray(),
    boxes: storage.sql.exec("SELECT * FROM boxes ORDER BY id").raw().toArray(),
    log: storage.sql.exec("SELECT * FROM log").raw().toArray(),
    kv: [...storage.kv.list()],
    sequence: storage.sql.exec("SELECT * FROM sqlite_sequence ORDER BY name").raw().toArray(),
  });

  const populate = (storage: SqliteObjectStorage) => {
    storage.sql.exec(`
      CREATE TABLE items(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, n, twice AS (n * 2), data BLOB);
      CREATE TABLE pairs(a, b, PRIMARY KEY (a, b)) WITHOUT ROWID;
      CREATE TABLE log(entry);
      CREATE VIRTUAL TABLE docs USING fts5(body);
      CREATE VIRTUAL TABLE boxes USING rtree(id, minX, maxX);
      CREATE INDEX items_name ON items(name);
      CREATE VIEW names AS SELECT name FROM items;
      CREATE TRIGGER logged AFTER INSERT ON items BEGIN INSERT INTO log VALUES (new.name); END;`);
    storage.sql.exec("INSERT INTO items(name, n, data) VALUES ('a', 9007199254740993, x'0102'), ('b', 1.5, NULL)");
    storage.sql.exec("INSERT INTO pairs VALUES (1, 'x'), (2, 'y')");
    storage.sql.exec("INSERT INTO docs(rowid, body) VALUES (5, 'apple pie'), (9, 'apple tart')");
    storage.sql.exec("INSERT INTO boxes VALUES (1, 0, 10)");
    storage.kv.put("k", { deep: [1, 2] });
  };

  it("restores everything to a bookmark on the next session, and the undo bookmark goes back", () => {
    let clock = 1000;
    const storage = openStorage(driver, { pointInTimeRecovery: true, now: () => clock });
    populate(storage);
    const before = contents(storage);
    const bookmark = storage.getCurrentBookmark();
    clock = 2000;
    storage.sql.exec(
      "DELETE FROM items WHERE name = 'a'; DROP VIEW names; INSERT INTO items(name) VALUES ('c'); DELETE FROM docs; DELETE FROM pairs",
    );
    storage.kv.put("k", "changed");
    storage.sql.exec("CREATE TABLE later(x)");
    storage.setAlarm(5555);
    const after = contents(storage);
    const undo = storage.onNextSessionRestoreBookmark(bookmark);
    expect(storage.restorePendingBookmark()).toBe(true);
    expect(contents(storage)).toEqual(before);
    expect(storage.sql.exec("SELECT name FROM sqlite_schema WHERE name = 'later'").toArray()).toEqual([]);
    // The alarm is not part of the data that is restored.
    expect(storage.getAlarm()).toBe(5555);
    // Rows inserted later fire the restored trigger and continue the restored sequence.
    storage.sql.exec("INSERT INTO items(name) VALUES ('d')");
    expect(storage.sql.exec("SELECT id FROM items WHERE name = 'd'").one()).toEqual({ id: 3 });
    expect(storage.sql.exec("SELECT entry FROM log").raw().toArray()).toEqual([...before.log, ["d"]]);
    storage.onNextSessionRestoreBookmark(undo);
    storage.restorePendingBookmark();
    expect(contents(storage)).toEqual(after);
    expect(storage.restorePendingBookmark()).toBe(false);
  });

  it("finds the latest bookmark at or before a time", () => {
    let clock = 1000;
    const storage = openStorage(driver, { pointInTimeRecovery: true, now: () => clock });
    const first = storage.getCurrentBookmark();
    clock = 3000;
    const second = storage.getCurrentBookmark();
    expect(storage.getBookmarkForTime(2999)).toBe(first);
    expect(storage.getBookmarkForTime(new Date(3000))).toBe(second);
    expect(thrown(() => storage.getBookmarkForTime(999))).toBeInstanceOf(RangeError);
    expect(thrown(() => storage.onNextSessionRestoreBookmark("nope"))).toBeInstanceOf(RangeError);
  });

  it("is undone with a test layer like any other change", () => {
    const storage = openStorage(driver, { pointInTimeRecovery: true });
    populate(storage);
    const bookmark = storage.getCurrentBookmark();
    storage.sql.exec("INSERT INTO log VALUES ('later')");
    const later = contents(storage);
    storage.push();
    storage.onNextSessionRestoreBookmark(bookmark);
    storage.restorePendingBookmark();
    storage.pop();
    expect(contents(storage)).toEqual(later);
  });

  it("refuses as local workerd does when not enabled", () => {
    const storage = openStorage(driver);
    const bookmark = storage.getCurrentBookmark();
    expect(thrown(() => storage.getBookmarkForTime(Date.now())).message).toBe(POINT_IN_TIME_RECOVERY_UNSUPPORTED);
    expect(thrown(() => storage.onNextSessionRestoreBookmark(bookmark)).message).toBe(
      "This Durable Object's storage back-end does not implement point-in-time recovery.",
    );
  });
});
