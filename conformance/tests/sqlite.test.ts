// SQLite in Durable Objects (issue 19, item 3), as workerd has it.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rejection, thrown, unique } from "./helpers";

function stub() {
  return env.SQL.getByName(unique("sql"));
}

function inObject<R>(fn: (sql: SqlStorage, state: DurableObjectState) => R | Promise<R>): Promise<R> {
  return runInDurableObject(stub(), (_instance, state) => fn(state.storage.sql, state));
}

function counts(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): [number, number] {
  cursor.toArray();
  return [cursor.rowsRead, cursor.rowsWritten];
}

describe("sql basics", () => {
  it("creates, inserts and selects", async () => {
    const rows = await inObject((sql) => {
      sql.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
      sql.exec("INSERT INTO t(name) VALUES (?), (?)", "a", "b");
      return sql.exec("SELECT id, name FROM t ORDER BY id").toArray();
    });
    expect(rows).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
  });

  it("raw() gives arrays and columnNames the names", async () => {
    const [raw, columns] = await inObject((sql) => {
      const cursor = sql.exec("SELECT 1 AS one, 'x' AS two");
      return [cursor.raw().toArray(), cursor.columnNames];
    });
    expect(raw).toEqual([[1, "x"]]);
    expect(columns).toEqual(["one", "two"]);
  });

  it("one() throws on no rows", async () => {
    const message = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a)");
      try {
        sql.exec("SELECT * FROM t").one();
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe("Expected exactly one result from SQL query, but got no results.");
  });

  it("refuses BEGIN TRANSACTION", async () => {
    const message = await inObject((sql) => {
      try {
        sql.exec("BEGIN TRANSACTION");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toMatch(/^To execute a transaction, please use the state.storage.transaction\(\)/);
  });

  it("transactionSync rolls back on a throw", async () => {
    const rows = await inObject((sql, state) => {
      sql.exec("CREATE TABLE t(a)");
      try {
        state.storage.transactionSync(() => {
          sql.exec("INSERT INTO t VALUES (1)");
          throw new Error("undo");
        });
      } catch {
        // expected
      }
      return sql.exec("SELECT count(*) AS n FROM t").one().n;
    });
    expect(rows).toBe(0);
  });

  it("binds numbers as REAL", async () => {
    const value = await inObject((sql) => sql.exec("SELECT typeof(?) AS t, ? / 2 AS half", 7, 7).one());
    expect(value).toEqual({ t: "real", half: 3.5 });
  });
});

describe("sql dialect", () => {
  it("accepts double-quoted string literals", async () => {
    const row = await inObject((sql) => {
      sql.exec("CREATE TABLE t(name TEXT)");
      sql.exec("INSERT INTO t VALUES ('prefix-one')");
      return sql.exec(`SELECT "x" AS x, (SELECT count(*) FROM t WHERE name LIKE "prefix%") AS n`).one();
    });
    expect(row).toEqual({ x: "x", n: 1 });
  });
});

describe("sql.databaseSize", () => {
  it("is one page for a fresh object", async () => {
    expect(await inObject((sql) => sql.databaseSize)).toBe(4096);
  });

  it("goes back to one page after DROP TABLE", async () => {
    const [grown, dropped] = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      for (let i = 0; i < 100; i++) sql.exec("INSERT INTO t VALUES (?)", "x".repeat(500));
      const grown = sql.databaseSize;
      sql.exec("DROP TABLE t");
      return [grown, sql.databaseSize];
    });
    expect(grown).toBeGreaterThan(4096);
    expect(dropped).toBe(4096);
  });

  it("goes back to one page after deleteAll()", async () => {
    const size = await inObject(async (sql, state) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      sql.exec("INSERT INTO t VALUES (?)", "x".repeat(10_000));
      await state.storage.put("key", "value");
      await state.storage.deleteAll();
      return sql.databaseSize;
    });
    expect(size).toBe(4096);
  });
});

describe("rowsRead and rowsWritten", () => {
  it("CREATE TABLE with a text primary key is [1, 3]", async () => {
    expect(await inObject((sql) => counts(sql.exec("CREATE TABLE t(a TEXT PRIMARY KEY)")))).toEqual([1, 3]);
  });

  it("a plain CREATE TABLE is [1, 2]", async () => {
    expect(await inObject((sql) => counts(sql.exec("CREATE TABLE t(a TEXT)")))).toEqual([1, 2]);
  });

  it("CREATE INDEX on a small table is [8, 4]", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      sql.exec("INSERT INTO t VALUES ('x'), ('y'), ('z')");
      return counts(sql.exec("CREATE INDEX t_a ON t(a)"));
    });
    expect(result).toEqual([8, 4]);
  });

  it("an insert into an indexed table writes 2 rows", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      sql.exec("CREATE INDEX t_a ON t(a)");
      return counts(sql.exec("INSERT INTO t VALUES ('x')"));
    });
    expect(result).toEqual([0, 2]);
  });

  it("INSERT ... RETURNING into a table with a text primary key is [1, 2]", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT PRIMARY KEY)");
      return counts(sql.exec("INSERT INTO t VALUES ('x') RETURNING a"));
    });
    expect(result).toEqual([1, 2]);
  });

  it("INSERT ... RETURNING into a rowid table is [1, 1]", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT)");
      return counts(sql.exec("INSERT INTO t(a) VALUES ('x') RETURNING id"));
    });
    expect(result).toEqual([1, 1]);
  });

  it("SELECT over three rows reads 3 and writes 0", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      sql.exec("INSERT INTO t VALUES ('x'), ('y'), ('z')");
      return counts(sql.exec("SELECT * FROM t"));
    });
    expect(result).toEqual([3, 0]);
  });

  it("several statements in one exec report the last statement's counts", async () => {
    const result = await inObject((sql) => {
      sql.exec("CREATE TABLE t(a TEXT)");
      return counts(sql.exec("INSERT INTO t VALUES ('x'), ('y'); SELECT * FROM t"));
    });
    expect(result).toEqual([2, 0]);
  });
});

describe("sql errors", () => {
  const uniqueMessage = "UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)";

  it("a UNIQUE violation in sql.exec carries the extended code", async () => {
    const message = await inObject((sql) => {
      sql.exec("CREATE TABLE t(name TEXT UNIQUE)");
      sql.exec("INSERT INTO t VALUES ('a')");
      try {
        sql.exec("INSERT INTO t VALUES ('a')");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe(uniqueMessage);
  });

  it("a UNIQUE violation over RPC carries the extended code", async () => {
    const error = await rejection(env.RPC.getByName(unique("rpc")).uniqueViolation());
    expect(error?.message).toBe(uniqueMessage);
  });

  it("an authorizer refusal carries at offset N", async () => {
    const message = await inObject((sql) => {
      try {
        sql.exec("SELECT sqlite_version()");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe("not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR");
  });

  it("a syntax error carries at offset N", async () => {
    const message = await inObject((sql) => {
      try {
        sql.exec("SELEKT 1");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe('near "SELEKT": syntax error at offset 0: SQLITE_ERROR');
  });

  it("a BigInt binding is a TypeError", async () => {
    const [name, message] = await inObject((sql) => {
      try {
        sql.exec("SELECT ?", 1n as unknown as number);
        return ["none", "no error"];
      } catch (error) {
        return [(error as Error).name, (error as Error).message];
      }
    });
    expect(name).toBe("TypeError");
    expect(message).toBe("Cannot convert a BigInt value to a number");
  });

  it("bindings in a statement other than the last are refused", async () => {
    const message = await inObject((sql) => {
      try {
        sql.exec("SELECT ?; SELECT 1", 1);
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe("When executing multiple SQL statements in a single call, only the last statement can have parameters.");
  });
});

describe("sql limits and refusals", () => {
  function message(fn: (sql: SqlStorage, state: DurableObjectState) => unknown): Promise<string | undefined> {
    return inObject((sql, state) => thrown(() => fn(sql, state))?.message);
  }

  it("one() throws on several rows", async () => {
    expect(await message((sql) => sql.exec("SELECT 1 UNION ALL SELECT 2").one())).toBe(
      "Expected exactly one result from SQL query, but got multiple results.",
    );
  });

  it("more than 100 bound parameters", async () => {
    const placeholders = Array.from({ length: 101 }, () => "?").join(",");
    expect(await message((sql) => sql.exec(`SELECT ${placeholders}`, ...Array<number>(101).fill(1)))).toBe(
      "too many SQL variables at offset 207: SQLITE_ERROR",
    );
  });

  it("a compound SELECT of more than 5 terms", async () => {
    const query = Array.from({ length: 6 }, (_, i) => `SELECT ${i}`).join(" UNION ");
    expect(await message((sql) => sql.exec(query))).toBe("too many terms in compound SELECT: SQLITE_ERROR");
  });

  it("_cf_KV is prohibited once key-value storage made it", async () => {
    const text = await inObject(async (sql, state) => {
      await state.storage.put("a", 1);
      return thrown(() => sql.exec("SELECT * FROM _cf_KV"))?.message;
    });
    expect(text).toBe("access to _cf_KV.key is prohibited: SQLITE_AUTH");
  });

  it("REINDEX of _cf_KV, bare REINDEX and REINDEX of a user's table once key-value storage made _cf_KV", async () => {
    const outcome = (run: () => unknown): string => thrown(run)?.message ?? "ok";
    const texts = await inObject(async (sql, state) => {
      await state.storage.put("a", 1);
      sql.exec("CREATE TABLE IF NOT EXISTS t (x)");
      return {
        table: outcome(() => sql.exec("REINDEX _cf_KV")),
        qualified: outcome(() => sql.exec("REINDEX main._cf_KV")),
        bare: outcome(() => sql.exec("REINDEX")),
        own: outcome(() => sql.exec("REINDEX t")),
      };
    });
    expect(texts).toEqual({ table: "ok", qualified: "ok", bare: "ok", own: "ok" });
  });

  it("_cf_ is reserved in any case: pragma_table_info('_CF_KV'), a read of _CF_kv, CREATE TABLE _Cf_y, an index _CF_i", async () => {
    const outcome = (run: () => unknown): unknown => thrown(run)?.message ?? run();
    const texts = await inObject(async (sql, state) => {
      await state.storage.put("a", 1);
      return {
        lower: outcome(() => sql.exec("SELECT name FROM pragma_table_info('_cf_KV')").toArray()),
        upper: outcome(() => sql.exec("SELECT name FROM pragma_table_info('_CF_KV')").toArray()),
        mixed: outcome(() => sql.exec("SELECT count(*) AS n FROM _CF_kv").toArray()),
        create: outcome(() => sql.exec("CREATE TABLE _Cf_y (a)")),
        index: outcome(() => sql.exec("CREATE TABLE IF NOT EXISTS t2 (a); CREATE INDEX _CF_i ON t2(a)")),
      };
    });
    const refused = "not authorized: SQLITE_AUTH";
    expect(texts).toEqual({ lower: refused, upper: refused, mixed: refused, create: refused, index: refused });
  });

  it("a PRAGMA off the allow-list is not authorized, table_list is", async () => {
    expect(await message((sql) => sql.exec("PRAGMA journal_mode"))).toBe("not authorized: SQLITE_AUTH");
    expect(await inObject((sql) => sql.exec("PRAGMA table_list").toArray().length > 0)).toBe(true);
  });

  it("a blank query", async () => {
    expect(await message((sql) => sql.exec("  "))).toBe("SQL code did not contain a statement.");
  });

  it("the wrong number of bindings", async () => {
    expect(await message((sql) => sql.exec("SELECT ?", 1, 2))).toBe("Wrong number of parameter bindings for SQL query.");
  });

  it("a boolean binds as the text 'true'", async () => {
    const row = await inObject((sql) => sql.exec("SELECT ? AS v, typeof(?) AS t", true as never, true as never).one());
    expect(row).toEqual({ v: "true", t: "text" });
  });

  it("transactionSync nests and returns the callback's value", async () => {
    expect(await inObject((_sql, state) => state.storage.transactionSync(() => state.storage.transactionSync(() => 5)))).toBe(5);
  });
});

describe("bookmarks (local workerd: an ersatz counter, no point-in-time recovery)", () => {
  it("getCurrentBookmark counts writes from zeros", async () => {
    const bookmarks = await inObject(async (_sql, state) => {
      const before = await state.storage.getCurrentBookmark();
      await state.storage.put("a", 1);
      return [before, await state.storage.getCurrentBookmark()];
    });
    expect(bookmarks).toEqual([
      "00000000-00000000-00000000-00000000000000000000000000000000",
      "00000000-00000001-00000000-00000000000000000000000000000000",
    ]);
  });

  it("getBookmarkForTime is not implemented locally", async () => {
    const text = await inObject(async (_sql, state) => {
      try {
        await state.storage.getBookmarkForTime(Date.now() - 1000);
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(text).toBe("This Durable Object's storage back-end does not implement point-in-time recovery.");
  });
});

describe("deleteAll on SQLite", () => {
  it("drops the user's tables", async () => {
    const tables = await inObject(async (sql, state) => {
      sql.exec("CREATE TABLE t(a)");
      await state.storage.deleteAll();
      return sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray();
    });
    expect(tables).toEqual([]);
  });

  it("is refused inside transaction()", async () => {
    const message = await inObject(async (_sql, state) => {
      try {
        await state.storage.transaction(async () => {
          await state.storage.deleteAll();
        });
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe("Cannot call deleteAll() within a transaction");
  });

  it("cancels open cursors", async () => {
    const [deleted, message] = await inObject(async (sql, state) => {
      sql.exec("CREATE TABLE t(a)");
      sql.exec("INSERT INTO t VALUES (1), (2), (3)");
      const first = sql.exec("SELECT * FROM t");
      const second = sql.exec("SELECT * FROM t");
      first.next();
      second.next();
      await state.storage.deleteAll();
      try {
        first.next();
        return [true, "no error"];
      } catch (error) {
        return [true, (error as Error).message];
      }
    });
    expect(deleted).toBe(true);
    expect(message).toBe("SQLite query was canceled because the database was deleted.");
  });

  it("succeeds after a one() that threw on several rows, and drops the table", async () => {
    const tables = await inObject(async (sql, state) => {
      sql.exec("CREATE TABLE t(a)");
      sql.exec("INSERT INTO t VALUES (1), (2)");
      thrown(() => sql.exec("SELECT * FROM t").one());
      await state.storage.deleteAll();
      return sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 't'").toArray();
    });
    expect(tables).toEqual([]);
  });
});
