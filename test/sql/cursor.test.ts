import { describe, expect, it } from "vitest";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("SqlStorageCursor on %s", (_name, driver) => {
  const open = (rows = 3) => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    for (let i = 1; i <= rows; i++) storage.sql.exec("INSERT INTO t VALUES (?, ?)", i, `v${i}`);
    return storage;
  };

  it("iterates rows as objects with next(), for…of and toArray()", () => {
    const { sql } = open();
    const cursor = sql.exec("SELECT a, b FROM t ORDER BY a");
    expect(cursor.next()).toEqual({ done: false, value: { a: 1, b: "v1" } });
    expect([...cursor]).toEqual([
      { a: 2, b: "v2" },
      { a: 3, b: "v3" },
    ]);
    expect(cursor.next()).toEqual({ done: true, value: undefined });
    expect(cursor.toArray()).toEqual([]);
    expect(sql.exec("SELECT b FROM t ORDER BY a DESC").toArray()).toEqual([{ b: "v3" }, { b: "v2" }, { b: "v1" }]);
  });

  it("one() returns the only row, with production's two messages otherwise", () => {
    const { sql } = open();
    expect(sql.exec("SELECT b FROM t WHERE a = ?", 2).one()).toEqual({ b: "v2" });
    const none = thrown(() => sql.exec("SELECT b FROM t WHERE a = 9").one());
    expect(none.constructor).toBe(Error);
    expect(none.message).toBe("Expected exactly one result from SQL query, but got no results.");
    expect(thrown(() => sql.exec("SELECT b FROM t").one()).message).toBe(
      "Expected exactly one result from SQL query, but got multiple results.",
    );
  });

  it("raw() yields arrays and shares the position with the object iterator", () => {
    const { sql } = open();
    const cursor = sql.exec("SELECT a, b FROM t ORDER BY a");
    expect(cursor.next().value).toEqual({ a: 1, b: "v1" });
    const raw = cursor.raw();
    expect(raw.next()).toEqual({ done: false, value: [2, "v2"] });
    expect(cursor.next().value).toEqual({ a: 3, b: "v3" });
    expect(raw.next()).toEqual({ done: true, value: undefined });
    expect(sql.exec("SELECT a, b FROM t ORDER BY a").raw().toArray()).toEqual([
      [1, "v1"],
      [2, "v2"],
      [3, "v3"],
    ]);
    expect([...sql.exec("SELECT a FROM t WHERE a < 3 ORDER BY a").raw()]).toEqual([[1], [2]]);
  });

  it("keeps duplicate column names in columnNames and raw rows; objects keep the last", () => {
    const { sql } = open();
    const cursor = sql.exec("SELECT 1 AS x, 2 AS x, 3 AS y");
    expect(cursor.columnNames).toEqual(["x", "x", "y"]);
    expect(cursor.raw().toArray()).toEqual([[1, 2, 3]]);
    expect(sql.exec("SELECT 1 AS x, 2 AS x").one()).toEqual({ x: 2 });
    expect(sql.exec("INSERT INTO t(b) VALUES ('z')").columnNames).toEqual([]);
  });

  it("counts rows read as they are stepped, and rows written by writes", () => {
    const { sql } = open();
    const cursor = sql.exec("SELECT a FROM t");
    // The first row is stepped when exec() returns, each later one when the previous is handed out.
    expect(cursor.rowsRead).toBe(1);
    cursor.next();
    expect(cursor.rowsRead).toBe(2);
    cursor.toArray();
    expect(cursor.rowsRead).toBe(3);
    expect(cursor.rowsWritten).toBe(0);
    const insert = sql.exec("INSERT INTO t(b) VALUES ('x'), ('y')");
    expect([insert.rowsRead, insert.rowsWritten]).toEqual([0, 2]);
    const update = sql.exec("UPDATE t SET b = 'u' WHERE a <= 2");
    expect([update.rowsRead, update.rowsWritten]).toEqual([2, 2]);
    const returning = sql.exec("DELETE FROM t WHERE a > 3 RETURNING a");
    expect(returning.toArray()).toHaveLength(2);
    expect(returning.rowsWritten).toBe(2);
  });

  // The figures of workerd's patched SQLite (patches/sqlite/0001-row-counts-plain.patch, built
  // against SQLite 3.53 and run on each statement): schema and index rows count.
  it("counts rows read and written as workerd's SQLite does, schema and index rows included", () => {
    const { sql } = open();
    const counts = (query: string, ...bindings: unknown[]) => {
      const cursor = sql.exec(query, ...bindings);
      cursor.toArray();
      return [cursor.rowsRead, cursor.rowsWritten];
    };
    expect(counts("CREATE TABLE k(a TEXT PRIMARY KEY)")).toEqual([1, 3]);
    expect(counts("CREATE TABLE p(a)")).toEqual([1, 2]);
    expect(counts("CREATE TABLE IF NOT EXISTS p(a)")).toEqual([0, 0]);
    expect(counts("CREATE VIEW pv AS SELECT 1")).toEqual([1, 2]);
    expect(counts("CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID")).toEqual([1, 2]);
    expect(counts("INSERT INTO p VALUES (1), (2), (3)")).toEqual([0, 3]);
    expect(counts("CREATE INDEX pi ON p(a)")).toEqual([8, 4]);
    expect(counts("INSERT INTO p VALUES (4)")).toEqual([0, 2]);
    expect(counts("INSERT INTO w VALUES ('a', 1)")).toEqual([0, 1]);
    expect(counts("CREATE TABLE u(id INTEGER PRIMARY KEY, name TEXT UNIQUE, b TEXT, c INT)")).toEqual([1, 3]);
    expect(counts("CREATE INDEX ub ON u(b)")).toEqual([2, 1]);
    expect(counts("INSERT INTO u(name, b, c) VALUES ('a', 'x', 1)")).toEqual([0, 3]);
    expect(counts("INSERT INTO u(name, b, c) VALUES ('b', 'y', 2), ('c', 'z', 3)")).toEqual([0, 6]);
    expect(counts("UPDATE u SET c = 5 WHERE id = 1")).toEqual([1, 1]);
    expect(counts("UPDATE u SET b = 'q' WHERE id = 1")).toEqual([1, 2]);
    expect(counts("UPDATE u SET c = 6")).toEqual([3, 3]);
    expect(counts("DELETE FROM u WHERE id = 2")).toEqual([1, 1]);
    expect(counts("DELETE FROM u")).toEqual([0, 2]);
    expect(counts("INSERT INTO u(name) VALUES ('z') RETURNING id")).toEqual([1, 3]);
    expect(counts("CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT, n)")).toEqual([2, 4]);
    expect(counts("INSERT INTO c(n) VALUES (1)")).toEqual([1, 2]);
    // Several statements: the cursor reports the last one's.
    expect(counts("INSERT INTO p VALUES (5); CREATE TABLE q(a)")).toEqual([1, 2]);
    expect(counts("CREATE TABLE r(a); INSERT INTO p VALUES (6)")).toEqual([0, 2]);
  });

  it("counts an insert's sqlite_sequence row by the table of the moment: after DROP and CREATE, and after a rollback undid them", () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    const counts = () => {
      const cursor = sql.exec("INSERT INTO s(n) VALUES (1)");
      return [cursor.rowsRead, cursor.rowsWritten];
    };
    sql.exec("CREATE TABLE s(id INTEGER PRIMARY KEY, n)");
    expect(counts()).toEqual([0, 1]);
    sql.exec("DROP TABLE s; CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, n)");
    expect(counts()).toEqual([1, 2]);
    storage.push();
    sql.exec("DROP TABLE s; CREATE TABLE s(id INTEGER PRIMARY KEY, n)");
    expect(counts()).toEqual([0, 1]);
    // The rollback brings the AUTOINCREMENT table back, with no statement since that changed the schema.
    storage.pop();
    expect(counts()).toEqual([1, 2]);
  });

  it("runs a write at exec() even if its cursor is never read", () => {
    const { sql } = open();
    sql.exec("INSERT INTO t(b) VALUES ('unread') RETURNING a");
    expect(sql.exec("SELECT count(*) AS n FROM t WHERE b = 'unread'").one()).toEqual({ n: 1 });
  });

  it("lets writes run while a cursor is open, which then sees them (no snapshot, as documented)", () => {
    const { sql } = open();
    const cursor = sql.exec("SELECT a, b FROM t ORDER BY a");
    const seen: string[] = [];
    for (const row of cursor) {
      seen.push(String(row.b));
      // The next row is already stepped (production steps one ahead too): change the one after it.
      sql.exec("UPDATE t SET b = 'changed' WHERE a = ?", Number(row.a) + 2);
    }
    expect(seen).toEqual(["v1", "v2", "changed"]);
  });

  it("reports an error raised while stepping, in production's shape", () => {
    const { sql } = open();
    const error = thrown(() => sql.exec("SELECT CASE WHEN a = 2 THEN json('{bad') ELSE a END AS v FROM t ORDER BY a").toArray());
    expect(error.message).toBe("malformed JSON: SQLITE_ERROR");
  });

  it("behaves the same for lookups by primary key, which run in one step", () => {
    const { sql } = open();
    sql.exec("CREATE TABLE w(a, b, c, PRIMARY KEY (a, b)) WITHOUT ROWID; INSERT INTO w VALUES (1, 1, 'x'), (1, 2, 'y')");
    const point = sql.exec("SELECT b FROM t WHERE a = ?", 2);
    expect(point.rowsRead).toBe(1);
    expect([...point]).toEqual([{ b: "v2" }]);
    expect(sql.exec("SELECT b FROM t WHERE a = ?", 9).toArray()).toEqual([]);
    expect(thrown(() => sql.exec("SELECT b FROM t WHERE a = ?", 9).one()).message).toBe(
      "Expected exactly one result from SQL query, but got no results.",
    );
    expect(sql.exec("SELECT c FROM w WHERE a = ? AND b = ?", 1, 2).one()).toEqual({ c: "y" });
    // What a key lookup plan does not show: IN lists and a partial key return several rows.
    expect(sql.exec("SELECT b FROM t WHERE a IN (1, 2) ORDER BY a").toArray()).toEqual([{ b: "v1" }, { b: "v2" }]);
    expect(sql.exec("SELECT c FROM w WHERE a = ? ORDER BY b", 1).toArray()).toEqual([{ c: "x" }, { c: "y" }]);
    expect(sql.exec("SELECT ? AS x", 5).raw().toArray()).toEqual([[5]]);
  });

  it("reuses the cached statement once an unread cursor is gone", () => {
    const { sql } = open(50);
    for (let i = 0; i < 200; i++) sql.exec("SELECT a FROM t ORDER BY a").next();
    // Abandoned cursors do not break later runs of the same text.
    expect(sql.exec("SELECT a FROM t ORDER BY a").toArray()).toHaveLength(50);
  });
});
