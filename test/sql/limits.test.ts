import { describe, expect, it } from "vitest";
import { SQL_LIMITS } from "../../src/sql/limits.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

const list = (count: number, item: (i: number) => string) => Array.from({ length: count }, (_, i) => item(i)).join(", ");

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("production's SQLite limits on %s", (_name, driver) => {
  const open = () => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    return storage;
  };
  const message = (run: () => unknown) => thrown(run).message;

  it("allows 100 bound parameters, not 101, nor ?101", () => {
    const { sql } = open();
    const values = Array.from({ length: 100 }, (_, i) => i);
    expect(Object.values(sql.exec(`SELECT ${list(100, () => "?")}`, ...values).one())).toHaveLength(1);
    expect(message(() => sql.exec(`SELECT ${list(101, () => "?")}`, ...values, 100))).toBe(
      `too many SQL variables at offset ${7 + 100 * 3}: SQLITE_ERROR`,
    );
    expect(message(() => sql.exec("SELECT ?101", 1))).toBe("variable number must be between ?1 and ?100 at offset 7: SQLITE_ERROR");
    expect(message(() => sql.exec("SELECT ?, ?, :x, ?200", 1, 2, 3))).toBe(
      "variable number must be between ?1 and ?100 at offset 17: SQLITE_ERROR",
    );
  });

  it("allows five terms in a compound SELECT, not six, counted per chain", () => {
    const { sql } = open();
    const terms = (n: number) => list(n, (i) => `SELECT ${i}`).replaceAll(", ", " UNION ALL ");
    expect(sql.exec(terms(5)).toArray()).toHaveLength(5);
    expect(message(() => sql.exec(terms(6)))).toBe("too many terms in compound SELECT: SQLITE_ERROR");
    expect(message(() => sql.exec(`SELECT * FROM (${terms(6)})`))).toBe("too many terms in compound SELECT: SQLITE_ERROR");
    // Two separate chains of three, and a many-row VALUES, are fine.
    expect(sql.exec(`SELECT * FROM (${terms(3)}) UNION SELECT * FROM (${terms(3)})`).toArray()).toHaveLength(3);
    expect(sql.exec(`INSERT INTO t(b) VALUES ${list(20, (i) => `('${i}')`)}`).rowsWritten).toBe(20);
  });

  it("refuses statements longer than 100,000 bytes, counting from where the statement starts", () => {
    const { sql } = open();
    const padded = (bytes: number) => "SELECT 1" + " ".repeat(bytes - 8);
    expect(sql.exec(padded(SQL_LIMITS.sqlLength)).toArray()).toHaveLength(1);
    expect(message(() => sql.exec(padded(SQL_LIMITS.sqlLength + 1)))).toBe("string or blob too big: SQLITE_TOOBIG");
    // Production prepares the rest of the text: a short first statement before a long tail fails too.
    expect(message(() => sql.exec(`SELECT 1; ${padded(SQL_LIMITS.sqlLength - 9)}`))).toBe("string or blob too big: SQLITE_TOOBIG");
    expect(sql.exec(`SELECT 1; ${padded(SQL_LIMITS.sqlLength - 10)}`).toArray()).toHaveLength(1);
  });

  it("allows 100 columns, not 101", () => {
    const { sql } = open();
    sql.exec(`CREATE TABLE wide(${list(100, (i) => `c${i}`)})`);
    expect(message(() => sql.exec(`CREATE TABLE wider(${list(101, (i) => `c${i}`)})`))).toBe("too many columns on wider: SQLITE_ERROR");
    // Table constraints are not columns.
    sql.exec(`CREATE TABLE keyed(${list(100, (i) => `c${i}`)}, PRIMARY KEY (c0), UNIQUE (c1), CHECK (c2 > 0))`);
    expect(sql.exec(`SELECT ${list(100, (i) => `${i} AS c${i}`)}`).columnNames).toHaveLength(100);
    expect(message(() => sql.exec(`SELECT ${list(101, (i) => `${i} AS c${i}`)}`))).toBe("too many columns in result set: SQLITE_ERROR");
  });

  it("allows 127 function arguments, not 128", () => {
    const { sql } = open();
    expect(sql.exec(`SELECT max(${list(127, (i) => String(i))}) AS m`).one()).toEqual({ m: 126 });
    expect(message(() => sql.exec(`SELECT json_array(${list(128, (i) => String(i))})`))).toBe(
      "too many arguments on function json_array at offset 7: SQLITE_ERROR",
    );
  });

  it("allows LIKE and GLOB patterns up to 50 bytes, literal or bound", () => {
    const { sql } = open();
    expect(sql.exec(`SELECT 'a' LIKE '${"%".repeat(50)}' AS m`).one()).toEqual({ m: 1 });
    expect(message(() => sql.exec(`SELECT 'a' LIKE '${"%".repeat(51)}'`))).toBe("LIKE or GLOB pattern too complex: SQLITE_ERROR");
    expect(message(() => sql.exec("SELECT 'a' GLOB ?", "*".repeat(51)))).toBe("LIKE or GLOB pattern too complex: SQLITE_ERROR");
    expect(sql.exec("SELECT 'a' GLOB ? AS m", "*".repeat(50)).one()).toEqual({ m: 1 });
  });

  it("refuses bound strings and BLOBs over 4 MiB, and changes nothing", () => {
    const { sql } = open();
    const limit = SQL_LIMITS.length;
    expect(sql.exec("SELECT length(?) AS n", "x".repeat(limit)).one()).toEqual({ n: limit });
    expect(message(() => sql.exec("INSERT INTO t(b) VALUES (?)", "x".repeat(limit + 1)))).toBe("string or blob too big: SQLITE_TOOBIG");
    expect(message(() => sql.exec("INSERT INTO t(b) VALUES (?)", new Uint8Array(limit + 1)))).toBe("string or blob too big: SQLITE_TOOBIG");
    // Multi-byte characters count as their UTF-8 bytes.
    expect(message(() => sql.exec("SELECT ?", "é".repeat(limit / 2 + 1)))).toBe("string or blob too big: SQLITE_TOOBIG");
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
  });

  it.runIf(driver.features.limits)("enforces the engine-only limits natively (expression depth, built values)", () => {
    const { sql } = open();
    expect(message(() => sql.exec(`SELECT ${list(101, () => "1").replaceAll(", ", " + ")}`))).toBe(
      "Expression tree is too large (maximum depth 100): SQLITE_ERROR",
    );
    expect(message(() => sql.exec(`SELECT zeroblob(${SQL_LIMITS.length + 1})`))).toBe("string or blob too big: SQLITE_TOOBIG");
  });
});
