import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DuraboxError } from "../../src/base/errors.js";
import type { SqliteDriver } from "../../src/sql/driver.js";
import { SqliteObjectStorage } from "../../src/sql/sqlite-object-storage.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

const directory = mkdtempSync(path.join(tmpdir(), "durabox-sql-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("transactions on %s", (_name, driver) => {
  /** Two connections to one file: what one commits, the other sees. */
  const openFile = () => {
    const location = path.join(directory, `db-${files++}.sqlite`);
    const storage = new SqliteObjectStorage({ driver, location });
    storage.sql.exec("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)");
    storage.commit();
    const observer = new SqliteObjectStorage({ driver, location });
    const committed = () => observer.sql.exec("SELECT count(*) AS n FROM t").one().n;
    return { storage, committed };
  };

  it("commits writes with no await between them together, at the next microtask", async () => {
    const { storage, committed } = openFile();
    storage.sql.exec("INSERT INTO t(b) VALUES ('x')");
    storage.kv.put("k", 1);
    storage.sql.exec("INSERT INTO t(b) VALUES ('y')");
    expect(storage.transactions.inImplicitTransaction).toBe(true);
    expect(committed()).toBe(0);
    await Promise.resolve();
    expect(storage.transactions.inImplicitTransaction).toBe(false);
    expect(committed()).toBe(2);
    // A write after an await is a transaction of its own.
    storage.sql.exec("INSERT INTO t(b) VALUES ('z')");
    expect(committed()).toBe(2);
    await Promise.resolve();
    expect(committed()).toBe(3);
  });

  it("opens no transaction for reads", () => {
    const { storage } = openFile();
    storage.sql.exec("SELECT * FROM t").toArray();
    storage.kv.get("k");
    expect(storage.transactions.inImplicitTransaction).toBe(false);
  });

  it("lets the owner choose when the implicit transaction commits (the output gate's hook)", () => {
    const scheduled: (() => void)[] = [];
    const storage = openStorage(driver, { scheduleCommit: (commit) => scheduled.push(commit) });
    storage.sql.exec("CREATE TABLE t(a)");
    storage.sql.exec("INSERT INTO t VALUES (1)");
    expect(scheduled).toHaveLength(1);
    storage.rollback();
    expect(storage.sql.exec("SELECT name FROM sqlite_schema WHERE name = 't'").toArray()).toEqual([]);
    // The stale scheduled commit does nothing.
    scheduled[0]!();
    storage.sql.exec("CREATE TABLE t(a)");
    expect(scheduled).toHaveLength(2);
    storage.commit();
    scheduled[1]!();
    expect(storage.sql.exec("SELECT name FROM sqlite_schema WHERE name = 't'").toArray()).toHaveLength(1);
  });

  it("transactionSync: returns the callback's value; a throw rolls back that level only", () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    sql.exec("CREATE TABLE t(a)");
    const result = storage.transactionSync(() => {
      sql.exec("INSERT INTO t VALUES (1)");
      expect(() =>
        storage.transactionSync(() => {
          sql.exec("INSERT INTO t VALUES (2)");
          storage.kv.put("inner", true);
          throw new Error("inner fails");
        }),
      ).toThrow("inner fails");
      storage.transactionSync(() => sql.exec("INSERT INTO t VALUES (3)"));
      return "done";
    });
    expect(result).toBe("done");
    expect(sql.exec("SELECT a FROM t ORDER BY a").raw().toArray()).toEqual([[1], [3]]);
    expect(storage.kv.get("inner")).toBeUndefined();
    const error = new Error("outer fails");
    expect(
      thrown(() => storage.transactionSync(() => (sql.exec("INSERT INTO t VALUES (4)"), storage.kv.put("x", 1), throwIt(error)))),
    ).toBe(error);
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 2 });
    expect(storage.kv.get("x")).toBeUndefined();
  });

  it("transactionSync names its savepoints as production does, and user SQL cannot touch them", () => {
    const storage = openStorage(driver);
    storage.transactionSync(() => {
      storage.transactionSync(() => {
        expect(thrown(() => storage.sql.exec("RELEASE _cf_sync_savepoint_1")).message).toMatch(/^To execute a transaction/);
        // SQLite knows the savepoint by that name: the storage's own release of it would fail otherwise.
        storage.db.exec("SAVEPOINT probe; RELEASE probe");
      });
    });
    expect(storage.transactions.transactionSyncDepth).toBe(0);
  });

  it("transactionSync returns an async callback's promise as production does, committing at return", async () => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE t(a)");
    const promise = storage.transactionSync(async () => {
      storage.sql.exec("INSERT INTO t VALUES (1)");
      await null;
      storage.sql.exec("INSERT INTO t VALUES (2)");
    });
    expect(promise).toBeInstanceOf(Promise);
    await promise;
    expect(storage.sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 2 });
    expect(() => storage.transactionSync("nope" as unknown as () => void)).toThrow(TypeError);
  });

  it("layers: pop() undoes data, key-value entries, schema and the alarm since push()", async () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    sql.exec("CREATE TABLE kept(a); INSERT INTO kept VALUES (1)");
    storage.kv.put("kept", 1);
    storage.setAlarm(1000);
    await Promise.resolve();
    storage.push();
    sql.exec("INSERT INTO kept VALUES (2); CREATE TABLE added(a); CREATE INDEX ia ON added(a)");
    storage.kv.put("added", 2);
    storage.kv.delete("kept");
    storage.setAlarm(2000);
    await Promise.resolve();
    storage.transactionSync(() => sql.exec("DROP TABLE kept"));
    await Promise.resolve();
    storage.pop();
    expect(sql.exec("SELECT a FROM kept").raw().toArray()).toEqual([[1]]);
    expect(sql.exec("SELECT name FROM sqlite_schema WHERE name IN ('added', 'ia')").toArray()).toEqual([]);
    expect(storage.kv.get("kept")).toBe(1);
    expect(storage.kv.get("added")).toBeUndefined();
    expect(storage.getAlarm()).toBe(1000);
  });

  it("layers nest, and a layer pushed before any key-value write rolls the table's creation back", () => {
    const storage = openStorage(driver);
    storage.push();
    storage.kv.put("a", 1);
    storage.push();
    storage.kv.put("b", 2);
    storage.pop();
    expect([...storage.kv.list()]).toEqual([["a", 1]]);
    storage.pop();
    expect(storage.kv.get("a")).toBeUndefined();
    expect(thrown(() => storage.sql.exec("SELECT * FROM _cf_KV")).message).toBe("no such table: _cf_KV: SQLITE_ERROR");
    // The table is created again by the next write.
    storage.kv.put("c", 3);
    expect(storage.kv.get("c")).toBe(3);
    expect(thrown(() => storage.pop())).toBeInstanceOf(DuraboxError);
  });

  it("pop() costs time in proportion to the changes, not to the data stored", async () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    sql.exec("CREATE TABLE big(a INTEGER PRIMARY KEY, b TEXT)");
    const time = (rows: number) => {
      storage.push();
      sql.exec("INSERT INTO big(b) VALUES ('one change')");
      const start = performance.now();
      storage.pop();
      void rows;
      return performance.now() - start;
    };
    const small = Math.min(...[1, 2, 3].map(() => time(0)));
    sql.exec(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) INSERT INTO big(b) SELECT printf('%050d', x) FROM c",
    );
    await Promise.resolve();
    const large = Math.min(...[1, 2, 3].map(() => time(200000)));
    // 200,000 rows stored (about 10 MB) do not make popping one change slower.
    expect(large).toBeLessThan(Math.max(small * 20, 5));
  });

  it("pop() keeps cached statements when it undid rows only: no statement is prepared again", async () => {
    const prepared: string[] = [];
    const counting: SqliteDriver = {
      ...driver,
      open(location, options) {
        const connection = driver.open(location, options);
        return {
          prepare: (sql, names, exact) => (prepared.push(sql), connection.prepare(sql, names, exact)),
          exec: (sql) => connection.exec(sql),
          close: () => connection.close(),
        };
      },
    };
    const storage = openStorage(counting);
    const { sql } = storage;
    sql.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
    const insert = "INSERT INTO t(v) VALUES (?)";
    const select = "SELECT v FROM t WHERE id = ?";
    const scope = async (i: number) => {
      storage.push();
      sql.exec(insert, `row ${i}`);
      expect(sql.exec(select, 1).one()).toEqual({ v: `row ${i}` });
      await Promise.resolve();
      storage.pop();
    };
    await scope(1);
    const before = prepared.length;
    await scope(2);
    await scope(3);
    // Savepoints and the schema check are prepared once; the user's statements were not prepared again.
    expect(prepared.slice(before)).toEqual([]);
    expect(sql.exec("SELECT count(*) AS n FROM t").one()).toEqual({ n: 0 });
  });

  it("pop() that undid schema changes makes cached statements check themselves again", async () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    // Below the layer: no primary key, two rows with id 1.
    sql.exec("CREATE TABLE t(id, v); INSERT INTO t VALUES (1, 'x'), (1, 'y')");
    await Promise.resolve();
    storage.push();
    sql.exec("DROP TABLE t; CREATE TABLE t(id INTEGER PRIMARY KEY, v); INSERT INTO t VALUES (1, 'a')");
    const select = "SELECT v FROM t WHERE id = ?";
    // Cached as a lookup of one row by primary key.
    expect(sql.exec(select, 1).toArray()).toEqual([{ v: "a" }]);
    await Promise.resolve();
    storage.pop();
    // The table has no primary key again: the cached statement must read every row, not one.
    expect(sql.exec(select, 1).toArray()).toEqual([{ v: "x" }, { v: "y" }]);
  });

  it("push() and pop() are refused inside transactionSync()", () => {
    const storage = openStorage(driver);
    storage.transactionSync(() => {
      expect(thrown(() => storage.push())).toBeInstanceOf(DuraboxError);
    });
    storage.push();
    storage.transactionSync(() => {
      expect(thrown(() => storage.pop())).toBeInstanceOf(DuraboxError);
    });
    storage.pop();
  });

  it("fails a commit that leaves deferred foreign keys violated, in production's words, and rolls it back", async () => {
    const failures: Error[] = [];
    for (const layered of [false, true]) {
      const storage = openStorage(driver, { onCommitError: (error) => failures.push(error) });
      const { sql } = storage;
      sql.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(pid REFERENCES parent(id))");
      await Promise.resolve();
      if (layered) storage.push();
      sql.exec("PRAGMA defer_foreign_keys = ON; INSERT INTO child VALUES (7)");
      await Promise.resolve();
      expect(sql.exec("SELECT count(*) AS n FROM child").one()).toEqual({ n: 0 });
      // A violation fixed before the commit is fine.
      sql.exec("PRAGMA defer_foreign_keys = ON; INSERT INTO child VALUES (8); INSERT INTO parent VALUES (8)");
      await Promise.resolve();
      expect(sql.exec("SELECT count(*) AS n FROM child").one()).toEqual({ n: 1 });
    }
    expect(failures.map((error) => error.message)).toEqual(
      Array(2).fill(
        "Durable Object was reset and rolled back to its last known good state because the application left the database " +
          "in a state where constraints were violated: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT",
      ),
    );
  });

  it("without a hook, a failed commit is thrown by the next storage call", async () => {
    const storage = openStorage(driver);
    storage.sql.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(pid REFERENCES parent(id))");
    await Promise.resolve();
    storage.sql.exec("PRAGMA defer_foreign_keys = ON; INSERT INTO child VALUES (7)");
    await Promise.resolve();
    expect(thrown(() => storage.kv.get("x")).message).toMatch(/constraints were violated: FOREIGN KEY constraint failed/);
    expect(storage.kv.get("x")).toBeUndefined();
  });

  it("enforces foreign keys, and a PRAGMA foreign_keys change inside the implicit transaction does nothing", () => {
    const storage = openStorage(driver);
    const { sql } = storage;
    sql.exec("CREATE TABLE parent(id INTEGER PRIMARY KEY); CREATE TABLE child(pid REFERENCES parent(id))");
    expect(thrown(() => sql.exec("INSERT INTO child VALUES (1)")).message).toBe(
      "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
    );
    sql.exec("PRAGMA foreign_keys = OFF");
    expect(thrown(() => sql.exec("INSERT INTO child VALUES (1)")).message).toBe(
      "FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
    );
  });
});

function throwIt(error: Error): never {
  throw error;
}
