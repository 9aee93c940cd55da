import { describe, expect, it } from "vitest";
import { TRANSACTION_STATEMENT_MESSAGE } from "../../src/sql/authorizer.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

const TRANSACTION_MESSAGE =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of " +
  "the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back " +
  "on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("what user SQL may do, on %s", (_name, driver) => {
  const open = () => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    return storage;
  };
  const message = (run: () => unknown) => thrown(run).message;

  it("refuses transaction statements with production's message, and they change nothing", () => {
    expect(TRANSACTION_STATEMENT_MESSAGE).toBe(TRANSACTION_MESSAGE);
    const { sql } = open();
    for (const query of [
      "BEGIN",
      "BEGIN TRANSACTION",
      "begin immediate",
      "COMMIT",
      "END",
      "ROLLBACK",
      "SAVEPOINT x",
      "RELEASE x",
      "ROLLBACK TO x",
      "EXPLAIN BEGIN",
    ]) {
      const error = thrown(() => sql.exec(query));
      expect(error.constructor).toBe(Error);
      expect(error.message).toBe(TRANSACTION_MESSAGE);
    }
    expect(message(() => sql.exec("INSERT INTO t(b) VALUES ('x'); BEGIN"))).toBe(TRANSACTION_MESSAGE);
  });

  it("refuses ATTACH and DETACH", () => {
    const { sql } = open();
    expect(message(() => sql.exec("ATTACH ':memory:' AS other"))).toBe("not authorized: SQLITE_AUTH");
    expect(message(() => sql.exec("DETACH other"))).toBe("not authorized: SQLITE_AUTH");
  });

  it("hides the _cf_ tables: no such table before the first key-value write, prohibited after", () => {
    const storage = open();
    const { sql } = storage;
    expect(message(() => sql.exec("SELECT * FROM _cf_KV"))).toBe("no such table: _cf_KV: SQLITE_ERROR");
    storage.kv.put("k", "v");
    expect(message(() => sql.exec("SELECT * FROM _cf_KV"))).toBe("access to _cf_KV.key is prohibited: SQLITE_AUTH");
    expect(message(() => sql.exec("SELECT value FROM _cf_KV WHERE key = 'k'"))).toBe("access to _cf_KV.value is prohibited: SQLITE_AUTH");
    expect(message(() => sql.exec("SELECT count(*) FROM _cf_KV"))).toBe("not authorized: SQLITE_AUTH");
    for (const query of [
      "DELETE FROM _cf_KV",
      "INSERT INTO _cf_KV VALUES ('a', x'00')",
      "UPDATE _cf_KV SET value = NULL",
      "DROP TABLE _cf_KV",
      "ALTER TABLE _cf_KV RENAME TO kv",
    ]) {
      expect(message(() => sql.exec(query))).toBe("not authorized: SQLITE_AUTH");
    }
    // REINDEX of it is allowed, as on workerd (conformance/tests/sqlite.test.ts): it only rebuilds its index.
    sql.exec("REINDEX _cf_KV; REINDEX main._cf_KV; REINDEX");
    // Through a view too.
    sql.exec("CREATE VIEW v AS SELECT * FROM _cf_KV");
    expect(message(() => sql.exec("SELECT * FROM v"))).toBe("access to _cf_KV.key is prohibited: SQLITE_AUTH");
    // Nothing changed.
    expect(storage.kv.get("k")).toBe("v");
  });

  it("refuses creating _cf_ tables, indexes and triggers, but allows names merely containing _cf_", () => {
    const { sql } = open();
    for (const query of [
      "CREATE TABLE _cf_mine(a)",
      "CREATE INDEX _cf_i ON t(b)",
      "CREATE TRIGGER _cf_tr AFTER INSERT ON t BEGIN SELECT 1; END",
      "CREATE VIEW _cf_v AS SELECT 1",
    ]) {
      expect(message(() => sql.exec(query))).toBe("not authorized: SQLITE_AUTH");
    }
    sql.exec("CREATE TABLE my_cf_things(a)");
    expect(sql.exec("SELECT 'name of _cf_KV' AS s").one()).toEqual({ s: "name of _cf_KV" });
  });

  it("refuses temporary objects", () => {
    const { sql } = open();
    expect(message(() => sql.exec("CREATE TEMP TABLE x(a)"))).toBe("not authorized: SQLITE_AUTH");
    expect(message(() => sql.exec("CREATE TEMPORARY VIEW v AS SELECT 1"))).toBe("not authorized: SQLITE_AUTH");
  });

  it("allows only production's functions: no sqlite_*() introspection; the refusal names the call as written, at its offset", () => {
    const { sql } = open();
    expect(message(() => sql.exec("SELECT sqlite_version()"))).toBe(
      "not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR",
    );
    expect(message(() => sql.exec("SELECT sqlite_source_id()"))).toBe(
      "not authorized to use function: sqlite_source_id at offset 7: SQLITE_ERROR",
    );
    expect(message(() => sql.exec("SELECT 1, upper(SQLITE_VERSION ())"))).toBe(
      "not authorized to use function: SQLITE_VERSION at offset 16: SQLITE_ERROR",
    );
    expect(message(() => sql.exec("SELECT 1; SELECT count(sqlite_version())"))).toBe(
      "not authorized to use function: sqlite_version at offset 13: SQLITE_ERROR",
    );
    // Called inside a view: SQLite knows no offset.
    sql.exec("CREATE VIEW version AS SELECT sqlite_version() AS v");
    expect(message(() => sql.exec("SELECT * FROM version"))).toBe("not authorized to use function: sqlite_version: SQLITE_ERROR");
    const row = sql
      .exec(
        `SELECT upper('a') AS u, json_extract('{"x":1}', '$.x') AS j, '{"y":2}' ->> '$.y' AS arrow,
      date('2020-01-02') AS d, abs(-1) AS a, count(*) OVER () AS w, coalesce(NULL, 1) AS c, printf('%d', 3) AS p`,
      )
      .one();
    expect(row).toEqual({ u: "A", j: 1, arrow: 2, d: "2020-01-02", a: 1, w: 1, c: 1, p: "3" });
  });

  it("compares function names without case: a column DEFAULT of CURRENT_TIMESTAMP (wrangler's d1_migrations table)", () => {
    const { sql } = open();
    sql.exec("CREATE TABLE m (id INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)");
    sql.exec("INSERT INTO m (id) VALUES (1)");
    expect(sql.exec("SELECT applied_at FROM m").one().applied_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(sql.exec("SELECT UPPER('a') AS u, Date('2020-01-02') AS d").one()).toEqual({ u: "A", d: "2020-01-02" });
  });

  it("lets ALTER TABLE run SQLite's own helper functions", () => {
    const { sql } = open();
    sql.exec("ALTER TABLE t ADD COLUMN c TEXT DEFAULT 'x'");
    sql.exec("ALTER TABLE t RENAME COLUMN c TO d");
    sql.exec("ALTER TABLE t DROP COLUMN d");
    sql.exec("ALTER TABLE t RENAME TO t2");
    expect(sql.exec("SELECT * FROM t2").columnNames).toEqual(["a", "b"]);
  });

  it("allows production's PRAGMA list only, compared as written", () => {
    const { sql } = open();
    for (const query of [
      "PRAGMA foreign_keys = ON",
      "PRAGMA foreign_keys",
      "PRAGMA defer_foreign_keys = 'true'",
      "PRAGMA case_sensitive_like = 1",
      "PRAGMA recursive_triggers = off",
      "PRAGMA table_info(t)",
      "PRAGMA table_xinfo('t')",
      "PRAGMA table_list",
      "PRAGMA data_version",
      "PRAGMA page_size",
      "PRAGMA index_list(t)",
      "PRAGMA foreign_key_check",
      "PRAGMA foreign_key_check(t)",
      "PRAGMA quick_check",
      "PRAGMA quick_check(10)",
      "PRAGMA optimize",
      "PRAGMA main.foreign_keys",
    ]) {
      expect(() => sql.exec(query), query).not.toThrow();
    }
    for (const query of [
      "PRAGMA FOREIGN_KEYS = ON",
      "PRAGMA journal_mode = OFF",
      "PRAGMA writable_schema = ON",
      "PRAGMA page_size = 8192",
      "PRAGMA foreign_keys = maybe",
      "PRAGMA user_version",
      "PRAGMA table_info(_cf_KV)",
      "PRAGMA optimize(abc)",
      "PRAGMA temp.foreign_keys = ON",
    ]) {
      expect(
        message(() => sql.exec(query)),
        query,
      ).toBe("not authorized: SQLITE_AUTH");
    }
  });

  it("allows the fts5, fts5vocab and rtree virtual tables only", () => {
    const { sql } = open();
    sql.exec("CREATE VIRTUAL TABLE docs USING fts5(body)");
    sql.exec("INSERT INTO docs(body) VALUES ('hello world'), ('goodbye')");
    expect(sql.exec("SELECT highlight(docs, 0, '[', ']') AS h FROM docs WHERE docs MATCH 'hello' ORDER BY bm25(docs)").toArray()).toEqual([
      { h: "[hello] world" },
    ]);
    sql.exec("CREATE VIRTUAL TABLE words USING fts5vocab(docs, row)");
    expect(sql.exec("SELECT count(*) AS n FROM words").one()).toEqual({ n: 3 });
    sql.exec("CREATE VIRTUAL TABLE boxes USING rtree(id, minX, maxX)");
    sql.exec("CREATE VIRTUAL TABLE boxes32 USING rtree_i32(id, minX, maxX)");
    sql.exec("INSERT INTO boxes VALUES (1, 0, 10)");
    expect(sql.exec("SELECT id FROM boxes WHERE minX <= 5 AND maxX >= 5").toArray()).toEqual([{ id: 1 }]);
    expect(message(() => sql.exec("CREATE VIRTUAL TABLE old USING fts4(body)"))).toBe("not authorized: SQLITE_AUTH");
    // Defensive mode: a virtual table's shadow tables cannot be written directly.
    expect(message(() => sql.exec("INSERT INTO docs_data VALUES (1000, x'00')"))).toBe("table docs_data may not be modified: SQLITE_ERROR");
    expect(sql.exec("SELECT count(*) AS n FROM docs_data").one().n).toBeGreaterThan(0);
  });

  it("checks table-valued pragmas as the PRAGMA SQLite runs for them: no _cf_ schema, database path or compile options", () => {
    const storage = open();
    const { sql } = storage;
    storage.kv.put("k", 1);
    sql.exec("INSERT INTO t(b) VALUES ('x')");
    for (const query of [
      "SELECT * FROM pragma_table_info('_cf_KV')",
      "SELECT * FROM pragma_index_list('_cf_KV')",
      "SELECT * FROM pragma_database_list",
      "SELECT * FROM pragma_compile_options",
      "SELECT name FROM pragma_function_list",
      "SELECT * FROM pragma_journal_mode",
      "SELECT * FROM main.pragma_table_info('_cf_METADATA')",
      "SELECT * FROM t JOIN PRAGMA_DATABASE_LIST AS d ON 1",
      "WITH x AS (SELECT * FROM pragma_compile_options) SELECT * FROM x",
      "SELECT (SELECT count(*) FROM pragma_compile_options)",
      "SELECT * FROM pragma_table_info('t', 'temp')",
      "SELECT * FROM pragma_table_info",
      "SELECT * FROM sqlite_schema s, pragma_table_info(s.name)",
    ]) {
      expect(
        message(() => sql.exec(query).toArray()),
        query,
      ).toBe("not authorized: SQLITE_AUTH");
    }
    // Bound arguments are checked as bound.
    expect(message(() => sql.exec("SELECT * FROM pragma_table_info(?)", "_cf_KV").toArray())).toBe("not authorized: SQLITE_AUTH");
    expect(sql.exec("SELECT name FROM pragma_table_info(?)", "t").toArray()).toEqual([{ name: "a" }, { name: "b" }]);
    // What production allows: its pragma list, with allowed arguments (the name compared as SQLite knows it).
    expect(sql.exec("SELECT name FROM PRAGMA_TABLE_INFO('t', 'main')").toArray()).toEqual([{ name: "a" }, { name: "b" }]);
    expect(sql.exec("SELECT foreign_keys FROM pragma_foreign_keys").one()).toEqual({ foreign_keys: 1 });
    expect(sql.exec("SELECT page_size FROM pragma_page_size('main')").one()).toEqual({ page_size: 4096 });
    expect(sql.exec("SELECT quick_check FROM pragma_quick_check").one()).toEqual({ quick_check: "ok" });
    expect(sql.exec("SELECT name FROM pragma_table_list WHERE name = 't'").toArray()).toEqual([{ name: "t" }]);
    // A view is checked when it runs, as SQLite expands it.
    sql.exec("CREATE VIEW options AS SELECT * FROM pragma_compile_options");
    expect(message(() => sql.exec("SELECT * FROM options").toArray())).toBe("not authorized: SQLITE_AUTH");
    sql.exec("CREATE VIEW columns AS SELECT name FROM pragma_table_info('t')");
    expect(sql.exec("SELECT * FROM columns").toArray()).toEqual([{ name: "a" }, { name: "b" }]);
    sql.exec("DROP VIEW options");
    // A table of that name is a table, not the pragma.
    sql.exec("CREATE TABLE pragma_compile_options(x)");
    expect(sql.exec("SELECT * FROM pragma_compile_options").toArray()).toEqual([]);
  });

  it("keeps a virtual table's shadow tables whole: no DROP, ALTER or trigger on them, with SQLite's defensive messages", () => {
    const { sql } = open();
    sql.exec("CREATE VIRTUAL TABLE f USING fts5(body)");
    sql.exec("INSERT INTO f VALUES ('hello')");
    sql.exec("CREATE VIRTUAL TABLE r USING rtree(id, a, b)");
    const refusals: [string, string][] = [
      ["DROP TABLE f_config", "table f_config may not be dropped: SQLITE_ERROR"],
      ["DROP TABLE IF EXISTS main.F_DATA", "table f_data may not be dropped: SQLITE_ERROR"],
      ["DROP TABLE r_node", "table r_node may not be dropped: SQLITE_ERROR"],
      ["ALTER TABLE f_config RENAME TO z", "table f_config may not be altered: SQLITE_ERROR"],
      ["ALTER TABLE f_idx ADD COLUMN z", "table f_idx may not be altered: SQLITE_ERROR"],
      ["ALTER TABLE f_content RENAME COLUMN c0 TO z", "table f_content may not be altered: SQLITE_ERROR"],
      ["CREATE TRIGGER tr AFTER INSERT ON f_config BEGIN SELECT 1; END", "cannot create triggers on shadow tables: SQLITE_ERROR"],
      ["DELETE FROM f_config", "table f_config may not be modified: SQLITE_ERROR"],
    ];
    for (const [query, expected] of refusals)
      expect(
        message(() => sql.exec(query)),
        query,
      ).toBe(expected);
    // Reading them, indexing them, REINDEX and ANALYZE are allowed, as in production.
    sql.exec("REINDEX f_config; ANALYZE f_config; CREATE INDEX fi ON f_config(k)");
    expect(sql.exec("SELECT body FROM f WHERE f MATCH 'hello'").toArray()).toEqual([{ body: "hello" }]);
    expect(sql.exec("PRAGMA quick_check").one()).toEqual({ quick_check: "ok" });
    // A table merely named like a shadow table is a table, and dropping the virtual table drops its shadows.
    sql.exec("CREATE TABLE x_config(a); DROP TABLE x_config; DROP TABLE f");
    expect(sql.exec("SELECT count(*) AS n FROM sqlite_schema WHERE name LIKE 'f%'").one()).toEqual({ n: 0 });
  });

  it("allows ANALYZE once the runtime's tables exist (it reads every table, with no READ authorization)", () => {
    const storage = open();
    storage.kv.put("k", 1);
    storage.sql.exec("ANALYZE; ANALYZE t");
    expect(storage.kv.get("k")).toBe(1);
  });

  it("refuses a trigger that would touch a _cf_ table or call a refused function", () => {
    const storage = open();
    const { sql } = storage;
    storage.kv.put("k", 1);
    // Production refuses the statements that fire such a trigger; a trigger never fires here without being refused.
    const fire = () => sql.exec("INSERT INTO t(b) VALUES ('x')");
    const attempts = [
      "CREATE TRIGGER a AFTER INSERT ON t BEGIN DELETE FROM _cf_KV; END",
      "CREATE TRIGGER b AFTER INSERT ON t BEGIN SELECT sqlite_version(); END",
    ];
    for (const query of attempts) {
      let refused: Error | undefined;
      try {
        sql.exec(query);
        fire();
      } catch (error) {
        refused = error as Error;
      }
      expect(refused?.message, query).toMatch(/^not authorized/);
    }
  });

  it("allows ANALYZE, REINDEX, EXPLAIN and recursive CTEs", () => {
    const { sql } = open();
    sql.exec("CREATE INDEX ib ON t(b); ANALYZE; REINDEX ib");
    expect(sql.exec("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c").toArray()).toEqual([
      { x: 1 },
      { x: 2 },
      { x: 3 },
    ]);
    expect(sql.exec("EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 'x'").toArray().length).toBeGreaterThan(0);
    expect(message(() => sql.exec("EXPLAIN SELECT sqlite_version()"))).toBe(
      "not authorized to use function: sqlite_version at offset 15: SQLITE_ERROR",
    );
  });

  it("changes nothing when a statement is refused", () => {
    const storage = open();
    storage.kv.put("k", 1);
    const { sql } = storage;
    const before = sql.exec("SELECT name FROM sqlite_schema ORDER BY name").toArray();
    for (const query of [
      "DELETE FROM _cf_KV",
      "CREATE TABLE _cf_x(a)",
      "PRAGMA writable_schema = ON",
      "BEGIN",
      "INSERT INTO t(b) VALUES (sqlite_version())",
    ]) {
      expect(() => sql.exec(query)).toThrow();
    }
    expect(sql.exec("SELECT name FROM sqlite_schema ORDER BY name").toArray()).toEqual(before);
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
    expect(storage.kv.get("k")).toBe(1);
  });
});
