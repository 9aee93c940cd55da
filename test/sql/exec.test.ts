import { describe, expect, it } from "vitest";
import { SQL_LIMITS } from "../../src/sql/limits.js";
import { parseStatements } from "../../src/sql/parsed-statements.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("sql.exec on %s", (_name, driver) => {
  const open = () => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    return storage;
  };

  it("binds numbers as REAL, booleans and objects by their string form, undefined as NULL (as local workerd does)", () => {
    const { sql } = open();
    expect(sql.exec("SELECT typeof(?) AS t, ? / 2 AS h", 7, 7).one()).toEqual({ t: "real", h: 3.5 });
    expect(sql.exec("SELECT ? AS v, typeof(?) AS t", true, true).one()).toEqual({ v: "true", t: "text" });
    expect(sql.exec("SELECT ? AS v", { a: 1 }).one()).toEqual({ v: "[object Object]" });
    expect(sql.exec("SELECT ? AS v", [1, 2]).one()).toEqual({ v: "1,2" });
    expect(sql.exec("SELECT ? AS a, ? AS b", undefined, null).one()).toEqual({ a: null, b: null });
  });

  it("binds ArrayBuffers and every view as BLOBs, and returns BLOBs as ArrayBuffers", () => {
    const { sql } = open();
    const bytes = Uint8Array.of(1, 2, 3, 4);
    for (const binding of [bytes.buffer, bytes, new DataView(bytes.buffer, 1, 2), new Uint16Array(bytes.buffer)]) {
      const row = sql.exec("SELECT ? AS v, typeof(?) AS t", binding, binding).one();
      expect(row.t).toBe("blob");
      expect(row.v).toBeInstanceOf(ArrayBuffer);
      const view = ArrayBuffer.isView(binding) ? binding : new Uint8Array(binding);
      expect([...new Uint8Array(row.v as ArrayBuffer)]).toEqual([...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)]);
    }
  });

  it("refuses a BigInt binding with workerd's TypeError (V8's, from its conversion to a double), before running anything", () => {
    const { sql } = open();
    const error = thrown(() => sql.exec("INSERT INTO t(b) VALUES (?)", 1n));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("Cannot convert a BigInt value to a number");
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
  });

  it("returns integers as numbers, losing precision beyond 2^53 as production does", () => {
    const { sql } = open();
    expect(sql.exec("SELECT 9007199254740993 AS v, 42 AS i, 1.5 AS r, 'x' AS s, NULL AS n").one()).toEqual({
      v: 9007199254740992,
      i: 42,
      r: 1.5,
      s: "x",
      n: null,
    });
  });

  it("refuses a BigInt after a too-long string with the BigInt's TypeError (every value converts before any is measured)", () => {
    const { sql } = open();
    const error = thrown(() => sql.exec("SELECT ?, ?", "x".repeat(SQL_LIMITS.length + 1), 1n));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("Cannot convert a BigInt value to a number");
  });

  it("writes rows whose rowid is beyond 2^53 and counts them, returning and reading them lossily as production does", () => {
    const { sql } = open();
    expect(sql.exec("INSERT INTO t(a, b) VALUES (9223372036854775807, 'max')").rowsWritten).toBe(1);
    expect(sql.exec("INSERT INTO t(a, b) VALUES (9007199254740993, 'x') RETURNING a").one()).toEqual({ a: 9007199254740992 });
    expect(sql.exec("UPDATE t SET b = 'y' WHERE a > 9007199254740992").rowsWritten).toBe(2);
    expect(sql.exec("SELECT count(*) AS n FROM t WHERE b = 'y'").one()).toEqual({ n: 2 });
  });

  it("reads a double-quoted name that is no column as a string, as workerd's SQLite does", () => {
    const { sql } = open();
    sql.exec("INSERT INTO t(a, b) VALUES (1, 'pear'), (2, 'apple')");
    expect(sql.exec('SELECT "x" AS v').one()).toEqual({ v: "x" });
    expect(sql.exec('SELECT b FROM t WHERE b LIKE "p%"').toArray()).toEqual([{ b: "pear" }]);
    // A name that is a column stays the column; quotes inside are kept.
    expect(sql.exec('SELECT "b", "it\'s", "say ""hi""" AS q FROM t WHERE a = 2').raw().toArray()).toEqual([["apple", "it's", 'say "hi"']]);
    expect(sql.exec('SELECT a FROM t WHERE b = "apple" OR b = "pear" ORDER BY a').toArray()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(sql.exec('UPDATE t SET b = "plum" WHERE a = ?', 1).rowsWritten).toBe(1);
    expect(sql.exec("SELECT b FROM t WHERE a = 1").one()).toEqual({ b: "plum" });
    sql.exec('CREATE TABLE d(k TEXT DEFAULT "none", CHECK (k <> "bad"))');
    sql.exec("INSERT INTO d DEFAULT VALUES");
    expect(sql.exec("SELECT k FROM d").one()).toEqual({ k: "none" });
    expect(thrown(() => sql.exec("INSERT INTO d VALUES ('bad')")).message).toMatch(/^CHECK constraint failed/);
  });

  it("keeps a qualified double-quoted name a column: no such column", () => {
    const { sql } = open();
    expect(thrown(() => sql.exec('SELECT t."nope" FROM t')).message).toBe("no such column: t.nope at offset 7: SQLITE_ERROR");
  });

  it("ends SQLite's messages with the extended code as workerd does", () => {
    const { sql } = open();
    sql.exec("CREATE TABLE u(name TEXT UNIQUE, n INTEGER NOT NULL DEFAULT 0, CHECK (n >= 0))");
    sql.exec("INSERT INTO u(name) VALUES ('a')");
    expect(thrown(() => sql.exec("INSERT INTO u(name) VALUES ('a')")).message).toBe(
      "UNIQUE constraint failed: u.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
    );
    expect(thrown(() => sql.exec("INSERT INTO t(a) VALUES (1), (1)")).message).toBe(
      "UNIQUE constraint failed: t.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
    );
    expect(thrown(() => sql.exec("INSERT INTO u(name, n) VALUES ('b', NULL)")).message).toBe(
      "NOT NULL constraint failed: u.n: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)",
    );
    expect(thrown(() => sql.exec("INSERT INTO u(name, n) VALUES ('c', -1)")).message).toBe(
      "CHECK constraint failed: n >= 0: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)",
    );
    // A primary code alone has no extended part.
    expect(thrown(() => sql.exec("SELECT nope FROM t")).message).toBe("no such column: nope at offset 7: SQLITE_ERROR");
  });

  it("makes BLOBs with the ArrayBuffer the caller chooses (another realm's)", () => {
    class ForeignArrayBuffer extends ArrayBuffer {}
    const storage = openStorage(driver, {
      toArrayBuffer: (bytes) => Object.setPrototypeOf(new Uint8Array(bytes).buffer, ForeignArrayBuffer.prototype),
    });
    expect(storage.sql.exec("SELECT x'0102' AS b").one().b).toBeInstanceOf(ForeignArrayBuffer);
  });

  it("runs several statements, binding only the last, and returns the last one's cursor", () => {
    const { sql } = open();
    const cursor = sql.exec("INSERT INTO t(b) VALUES ('x'); INSERT INTO t(b) VALUES ('y'); SELECT b FROM t WHERE b = ?", "y");
    expect(cursor.toArray()).toEqual([{ b: "y" }]);
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 2 });
    // A later statement sees what an earlier one created.
    expect(sql.exec("CREATE TABLE u(x); INSERT INTO u VALUES (1); SELECT x FROM u").toArray()).toEqual([{ x: 1 }]);
  });

  it("refuses parameters before the last statement, after running the ones before", () => {
    const { sql } = open();
    const error = thrown(() => sql.exec("INSERT INTO t(b) VALUES ('x'); SELECT ?; SELECT 1", 1));
    expect(error.message).toBe("When executing multiple SQL statements in a single call, only the last statement can have parameters.");
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 1 });
  });

  it("counts bindings as SQLite numbers parameters: ?NNN, names and reuse", () => {
    const { sql } = open();
    expect(thrown(() => sql.exec("SELECT ?, ?", 1)).message).toBe("Wrong number of parameter bindings for SQL query.");
    expect(thrown(() => sql.exec("SELECT 1", 1)).message).toBe("Wrong number of parameter bindings for SQL query.");
    expect(sql.exec("SELECT :a AS a, :b AS b, :a AS c", 1, 2).one()).toEqual({ a: 1, b: 2, c: 1 });
    expect(sql.exec("SELECT ?3 AS c, ?1 AS a", "a", "b", "c").one()).toEqual({ c: "c", a: "a" });
    expect(sql.exec("SELECT ?2 AS b, ? AS c, @x AS d, $y AS e", 1, 2, 3, 4, 5).one()).toEqual({ b: 2, c: 3, d: 4, e: 5 });
  });

  it("fails when a remainder holds no statement, as production's prepare loop does", () => {
    const { sql } = open();
    for (const query of ["", "   ", "-- only a comment", "SELECT 1;;", "SELECT 1; -- trailing comment"]) {
      expect(thrown(() => sql.exec(query)).message).toBe("SQL code did not contain a statement.");
    }
    // Spaces after the last semicolon are fine, and so are empty statements before one.
    expect(sql.exec("SELECT 1 AS x;  \n").one()).toEqual({ x: 1 });
    expect(sql.exec(";; SELECT 2 AS x").one()).toEqual({ x: 2 });
    expect(sql.exec("SELECT 3 AS x -- a comment without semicolon").one()).toEqual({ x: 3 });
  });

  it("keeps semicolons inside a trigger body within one statement", () => {
    const { sql } = open();
    sql.exec(`CREATE TABLE log(x);
      CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.b); INSERT INTO log VALUES (CASE WHEN 1 THEN 'c' END); END;
      INSERT INTO t(b) VALUES ('z')`);
    expect(sql.exec("SELECT x FROM log").toArray()).toEqual([{ x: "z" }, { x: "c" }]);
  });

  it("reports SQLite errors as production does: message, offset when SQLite knows it, primary code", () => {
    const { sql } = open();
    const message = (query: string) => thrown(() => sql.exec(query)).message;
    // Offsets checked against sqlite3_error_offset() of SQLite 3.53.
    expect(message("SELECT bunk bunk")).toBe("no such column: bunk at offset 7: SQLITE_ERROR");
    expect(message("SELECT * FROM t WHERE b = 'x' frm")).toBe('near "frm": syntax error at offset 30: SQLITE_ERROR');
    expect(message("SELECT 1 FROM t WHERE a = 1 1")).toBe('near "1": syntax error at offset 28: SQLITE_ERROR');
    expect(message("SELECT 1 frm t")).toBe('near "t": syntax error at offset 13: SQLITE_ERROR');
    expect(message("SELECT * FROM nope")).toBe("no such table: nope: SQLITE_ERROR");
    expect(message("SELECT t.nope FROM t")).toBe("no such column: t.nope at offset 7: SQLITE_ERROR");
    expect(message("SELECT abs(1,2)")).toBe("wrong number of arguments to function abs() at offset 7: SQLITE_ERROR");
    expect(message("SELECT count(count(1))")).toBe("misuse of aggregate function count() at offset 13: SQLITE_ERROR");
    expect(message("SELECT 'abc")).toBe(`unrecognized token: "'abc" at offset 7: SQLITE_ERROR`);
    expect(message("select 'é', bunk from t")).toBe("no such column: bunk at offset 13: SQLITE_ERROR");
    expect(message("UPDATE t SET b = 1, nope = 2")).toBe("no such column: nope: SQLITE_ERROR");
    expect(message("UPDATE t SET b = nope")).toBe("no such column: nope at offset 17: SQLITE_ERROR");
    expect(message("CREATE TABLE t(x)")).toBe("table t already exists at offset 13: SQLITE_ERROR");
    expect(message("SELECT foo(1)")).toBe("no such function: foo at offset 7: SQLITE_ERROR");
    // The offset counts from the start of the statement that failed.
    expect(message("SELECT 1; SELECT bunk")).toBe("no such column: bunk at offset 7: SQLITE_ERROR");
    sql.exec("INSERT INTO t VALUES (1, 'x')");
    expect(message("INSERT INTO t VALUES (1, 'y')")).toBe(
      "UNIQUE constraint failed: t.a: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
    );
    expect(thrown(() => sql.exec("SELECT bunk")).constructor).toBe(Error);
  });

  it("caches prepared statements per text yet re-prepares after schema changes", () => {
    const { sql } = open();
    const query = "SELECT * FROM t";
    expect(sql.exec(query).columnNames).toEqual(["a", "b"]);
    sql.exec("ALTER TABLE t ADD COLUMN c");
    expect(sql.exec(query).columnNames).toEqual(["a", "b", "c"]);
  });

  it("parses a text once for every database, yet prepares and checks it in each against that database's own schema", () => {
    const query = "SELECT * FROM t WHERE a > ?";
    expect(parseStatements(query, !driver.features.authorizer)).toBe(parseStatements(query, !driver.features.authorizer));
    const first = open();
    const second = open();
    second.sql.exec("ALTER TABLE t ADD COLUMN c; INSERT INTO t VALUES (1, 'x', 'y')");
    expect(first.sql.exec(query, 0).columnNames).toEqual(["a", "b"]);
    expect(second.sql.exec(query, 0).toArray()).toEqual([{ a: 1, b: "x", c: "y" }]);
    first.sql.exec("DROP TABLE t");
    expect(thrown(() => first.sql.exec(query, 0)).message).toBe("no such table: t: SQLITE_ERROR");
    expect(second.sql.exec(query, 0).columnNames).toEqual(["a", "b", "c"]);
    // What the text alone refuses is refused in every database, each time with an Error of its own.
    const refusals = [first, second].map((storage) => thrown(() => storage.sql.exec("BEGIN TRANSACTION")));
    expect(refusals[0]).not.toBe(refusals[1]);
    expect(refusals[0]!.message).toBe(refusals[1]!.message);
    expect(refusals[0]!.message).toMatch(/^To execute a transaction, please use the state.storage.transaction\(\)/);
  });

  it("runs two cursors of the same text at once, each with its own bindings", () => {
    const { sql } = open();
    sql.exec("INSERT INTO t(b) VALUES ('x'), ('y'), ('z')");
    const query = "SELECT b FROM t WHERE a >= ? ORDER BY a";
    const outer = sql.exec(query, 1);
    const pairs: string[] = [];
    for (const row of outer) for (const inner of sql.exec(query, 3)) pairs.push(`${row.b}${inner.b}`);
    expect(pairs).toEqual(["xz", "yz", "zz"]);
  });

  it("exposes the Cursor and Statement types, which user code cannot construct", () => {
    const { sql } = open();
    expect(sql.exec("SELECT 1")).toBeInstanceOf(sql.Cursor);
    expect(() => new (sql.Cursor as unknown as new () => unknown)()).toThrow(TypeError);
    expect(() => new (sql.Statement as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it("reports databaseSize as page_count * page_size, growing as data is written", () => {
    const { sql } = open();
    const before = sql.databaseSize;
    expect(before % 4096).toBe(0);
    sql.exec("INSERT INTO t(b) VALUES (?)", "x".repeat(100_000));
    expect(sql.databaseSize).toBeGreaterThan(before);
  });
});
