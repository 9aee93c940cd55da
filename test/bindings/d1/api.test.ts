import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteDatabase } from "../../../src/sql/database.js";
import { SQL_LIMITS } from "../../../src/sql/limits.js";
import { sqliteDrivers } from "../../helpers/sqlite.js";
import { openD1, rejection } from "./helpers.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("D1 on %s", (_name, driver) => {
  const fresh = async () => {
    const { db } = openD1(driver);
    await db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, avatar BLOB)");
    return db;
  };

  describe("prepare and bind", () => {
    it("all() returns rows as objects, with success and meta", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (id, name) VALUES (?, ?), (?, ?)").bind(1, "ada", 2, "bob").run();
      const result = await db.prepare("SELECT id, name FROM users ORDER BY id").all();
      expect(result.success).toBe(true);
      expect(result.results).toEqual([
        { id: 1, name: "ada" },
        { id: 2, name: "bob" },
      ]);
      expect(result.meta).toMatchObject({ changes: 0, changed_db: false, rows_read: 2, rows_written: 0, served_by_primary: true });
      expect(typeof result.meta.duration).toBe("number");
      expect(result.meta.size_after).toBeGreaterThan(0);
    });

    it("binds numbers as REAL, booleans as 1 and 0, null, strings and bytes", async () => {
      const db = await fresh();
      const row = await db
        .prepare("SELECT typeof(?1) AS n, ?1 / 2 AS half, ?2 AS yes, ?3 AS no, ?4 AS nil, ?5 AS text, typeof(?6) AS blob, ?6 AS bytes")
        .bind(7, true, false, null, "hi", new Uint8Array([1, 2, 255]))
        .first();
      expect(row).toEqual({ n: "real", half: 3.5, yes: 1, no: 0, nil: null, text: "hi", blob: "blob", bytes: [1, 2, 255] });
    });

    it("binds an ArrayBuffer, a view's own bytes and an array of byte values as BLOBs; BLOBs come back as byte arrays", async () => {
      const db = await fresh();
      const backing = new Uint8Array([9, 8, 7, 6]);
      const view = new Uint8Array(backing.buffer, 1, 2);
      const row = await db
        .prepare("SELECT ? AS a, ? AS b, ? AS c")
        .bind(new Uint8Array([1, 2]).buffer, view, [3, 4])
        .first();
      expect(row).toEqual({ a: [1, 2], b: [8, 7], c: [3, 4] });
    });

    it("copies bound bytes at bind(): later changes to the buffer do not reach the query", async () => {
      const db = await fresh();
      const bytes = new Uint8Array([1, 2, 3]);
      const statement = db.prepare("SELECT ? AS b").bind(bytes);
      bytes[0] = 99;
      expect(await statement.first("b")).toEqual([1, 2, 3]);
    });

    it.each([
      [undefined, "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'"],
      [10n, "D1_TYPE_ERROR: Type 'bigint' not supported for value '10'"],
      [{ a: 1 }, "D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"],
      [[1, 256], "D1_TYPE_ERROR: Type 'object' not supported for value '1,256'"],
      [Symbol("s"), "D1_TYPE_ERROR: Type 'symbol' not supported for value 'Symbol(s)'"],
    ])("refuses %s at bind() with D1's message", async (value, message) => {
      const db = await fresh();
      let error: Error | undefined;
      try {
        db.prepare("SELECT ?").bind(value);
      } catch (thrown) {
        error = thrown as Error;
      }
      expect(error).toBeInstanceOf(Error);
      expect(error!.message).toBe(message);
      expect((error!.cause as Error).message).toBe(message.slice("D1_TYPE_ERROR: ".length));
    });

    it("bind() returns a new statement: the prepared one keeps its values", async () => {
      const db = await fresh();
      const select = db.prepare("SELECT ? AS v");
      const one = select.bind(1);
      const two = select.bind(2);
      expect(await one.first("v")).toBe(1);
      expect(await two.first("v")).toBe(2);
      expect(one).not.toBe(select);
    });
  });

  describe("first", () => {
    it("returns the first row, or one column of it, or null when there is none", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'bob')").run();
      expect(await db.prepare("SELECT id, name FROM users ORDER BY id").first()).toEqual({ id: 1, name: "ada" });
      expect(await db.prepare("SELECT id, name FROM users ORDER BY id DESC").first("name")).toBe("bob");
      expect(await db.prepare("SELECT id FROM users WHERE id = 9").first()).toBeNull();
      expect(await db.prepare("SELECT id FROM users WHERE id = 9").first("id")).toBeNull();
    });

    it("rejects a column the row does not have with D1_COLUMN_NOTFOUND", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (id, name) VALUES (1, 'ada')").run();
      const error = await rejection(db.prepare("SELECT id FROM users").first("nope"));
      expect(error.message).toBe("D1_COLUMN_NOTFOUND: Column not found (nope)");
      expect((error.cause as Error).message).toBe("Column not found");
    });
  });

  describe("raw", () => {
    it("returns rows as arrays, with the column names first when asked", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'bob')").run();
      const select = db.prepare("SELECT id, name FROM users ORDER BY id");
      expect(await select.raw()).toEqual([
        [1, "ada"],
        [2, "bob"],
      ]);
      expect(await select.raw({ columnNames: true })).toEqual([
        ["id", "name"],
        [1, "ada"],
        [2, "bob"],
      ]);
      expect(await db.prepare("SELECT id, name FROM users WHERE id = 9").raw({ columnNames: true })).toEqual([["id", "name"]]);
    });

    it("keeps every column of the same name, where all() keeps the last", async () => {
      const db = await fresh();
      expect(await db.prepare("SELECT 1 AS a, 2 AS a").raw()).toEqual([[1, 2]]);
      expect((await db.prepare("SELECT 1 AS a, 2 AS a").all()).results).toEqual([{ a: 2 }]);
    });
  });

  describe("run and meta", () => {
    it("reports changes, last_row_id, rows written and changed_db for a write", async () => {
      const db = await fresh();
      const insert = await db.prepare("INSERT INTO users (name) VALUES (?), (?)").bind("ada", "bob").run();
      expect(insert.success).toBe(true);
      expect(insert.meta).toMatchObject({ changes: 2, last_row_id: 2, rows_written: 2, changed_db: true });
      const update = await db.prepare("UPDATE users SET score = 1.5").run();
      expect(update.meta).toMatchObject({ changes: 2, last_row_id: 2, changed_db: true });
      const none = await db.prepare("DELETE FROM users WHERE id = 99").run();
      expect(none.meta).toMatchObject({ changes: 0, changed_db: false });
    });

    it("counts in changes the rows a trigger or a foreign key action changes too, by the schema of the moment", async () => {
      const db = await fresh();
      await db.exec("CREATE TABLE log (id INTEGER PRIMARY KEY, user_id INTEGER)");
      const insert = (name: string) => db.prepare("INSERT INTO users (name) VALUES (?)").bind(name).run();
      expect((await insert("ada")).meta).toMatchObject({ changes: 1, last_row_id: 1 });
      await db.exec("CREATE TRIGGER logged AFTER INSERT ON users BEGIN INSERT INTO log (user_id) VALUES (new.id); END");
      // The trigger's insert counts; the rowid is the statement's own row's.
      expect((await insert("bob")).meta).toMatchObject({ changes: 2, last_row_id: 2 });
      await db.exec("DROP TRIGGER logged");
      expect((await insert("cy")).meta).toMatchObject({ changes: 1, last_row_id: 3 });
      await db.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE)");
      expect((await db.prepare("INSERT INTO posts (user_id) VALUES (1), (1), (2)").run()).meta).toMatchObject({
        changes: 3,
        last_row_id: 3,
      });
      const deleted = await db.prepare("DELETE FROM users WHERE id = ?").bind(1).run();
      expect(deleted.meta).toMatchObject({ changes: 3, last_row_id: 3 });
      expect((await insert("dee")).meta).toMatchObject({ changes: 1, last_row_id: 4 });
    });

    it("counts in changes the rows a virtual table's module writes in its shadow tables while the statement runs", async () => {
      const db = await fresh();
      await db.exec("CREATE VIRTUAL TABLE notes USING fts5(body)");
      const total = db.prepare("SELECT total_changes() AS n");
      const insert = db.prepare("INSERT INTO notes VALUES ('hello world')");
      // SQLite's counter read in the same call, around the insert; FTS5 also writes at each commit, which is no statement's.
      for (let call = 0; call < 3; call++) {
        const [before, inserted, after] = await db.batch<{ n: number }>([total, insert, total]);
        expect(inserted!.meta.changes).toBe(after!.results[0]!.n - before!.results[0]!.n);
        expect(inserted!.meta.changes).toBeGreaterThan(1);
      }
      expect((await db.prepare("INSERT INTO users (name) VALUES ('ada')").run()).meta.changes).toBe(1);
    });

    it("returns the rows of INSERT … RETURNING", async () => {
      const db = await fresh();
      const result = await db.prepare("INSERT INTO users (name) VALUES (?) RETURNING id, name").bind("ada").run();
      expect(result.results).toEqual([{ id: 1, name: "ada" }]);
      expect(result.meta.changes).toBe(1);
    });

    it("size_after grows as rows are written", async () => {
      const db = await fresh();
      const before = (await db.prepare("SELECT 1").all()).meta.size_after;
      const big = "x".repeat(100_000);
      const after = (await db.prepare("INSERT INTO users (name) VALUES (?)").bind(big).run()).meta.size_after;
      expect(after).toBeGreaterThan(before);
    });

    it.each(["NONE", "FULL"])(
      "reports as size_after the pages the file holds after the commit (auto_vacuum %s: a commit may truncate it)",
      async (autoVacuum) => {
        const location = path.join(mkdtempSync(path.join(tmpdir(), "durabox-d1-size-")), "db.sqlite");
        // Set before the file holds anything (auto_vacuum changes afterwards only with a VACUUM), outside durabox's limits.
        const setup = driver.open(location, { limits: { ...SQL_LIMITS, attach: 10 }, authorizer: () => true });
        setup.exec(`PRAGMA auto_vacuum = ${autoVacuum}; CREATE TABLE notes (body TEXT)`);
        setup.close();
        const fromFile = (pragma: string) => {
          const reader = new SqliteDatabase({ location, driver });
          try {
            return Number(reader.queryOne(`PRAGMA ${pragma}`)![0]);
          } finally {
            reader.close();
          }
        };
        const fileSize = () => fromFile("page_count") * fromFile("page_size");
        expect(fromFile("auto_vacuum")).toBe(autoVacuum === "FULL" ? 1 : 0);
        const { db, store } = openD1(driver, { location });
        const big = "x".repeat(50_000);
        const inserted = await db.batch(Array.from({ length: 5 }, () => db.prepare("INSERT INTO notes VALUES (?)").bind(big)));
        const grown = inserted.at(-1)!.meta.size_after;
        expect(grown).toBe(fileSize());
        const deleted = await db.prepare("DELETE FROM notes").run();
        expect(deleted.meta.size_after).toBe(fileSize());
        // Without auto_vacuum the freed pages stay in the file.
        if (autoVacuum === "FULL") expect(deleted.meta.size_after).toBeLessThan(grown);
        else expect(deleted.meta.size_after).toBe(grown);
        await store.dispose();
      },
    );

    it("counts the changes of every statement of a `;`-separated text, not only the last one's", async () => {
      const db = await fresh();
      const result = await db.prepare("INSERT INTO users (name) VALUES ('ada'); SELECT count(*) AS n FROM users").run();
      expect(result.results).toEqual([{ n: 1 }]);
      expect(result.meta).toMatchObject({ changes: 1, last_row_id: 1, changed_db: true });
    });

    it("returns what JSON cannot hold (infinities) as null, as production's JSON does", async () => {
      const db = await fresh();
      expect(await db.prepare("SELECT 1e999 AS inf, -1e999 AS negative").first()).toEqual({ inf: null, negative: null });
    });

    it("in a batch, reports the size before the call up to its first write, and the size after the call from there", async () => {
      const db = await fresh();
      const before = (await db.prepare("SELECT 1").all()).meta.size_after;
      const big = "x".repeat(100_000);
      const results = await db.batch([
        db.prepare("SELECT 1"),
        db.prepare("INSERT INTO users (name) VALUES (?)").bind(big),
        db.prepare("SELECT 2"),
      ]);
      const after = (await db.prepare("SELECT 1").all()).meta.size_after;
      expect(after).toBeGreaterThan(before);
      expect(results.map((result) => result.meta.size_after)).toEqual([before, after, after]);
      expect(results.map((result) => result.meta.changed_db)).toEqual([false, true, false]);
    });

    it("returns integers beyond 2^53 as numbers, as production's JSON does", async () => {
      const db = await fresh();
      expect(await db.prepare("SELECT 9007199254740993 AS big").first("big")).toBe(9007199254740992);
    });

    it("reports a last_row_id beyond 2^53 as the nearest number, and later writes run (Node 26 needs BigInts for it)", async () => {
      const db = await fresh();
      const inserted = await db.prepare("INSERT INTO users (id, name) VALUES (9007199254740993, 'big')").run();
      expect(inserted.meta).toMatchObject({ changes: 1, last_row_id: 9007199254740992 });
      // The connection's last rowid stays beyond 2^53: every later run() reports it.
      const updated = await db.prepare("UPDATE users SET name = ? WHERE name = 'big'").bind("bigger").run();
      expect(updated.meta).toMatchObject({ changes: 1, last_row_id: 9007199254740992 });
      const [batched] = await db.batch([db.prepare("DELETE FROM users WHERE name = ?").bind("bigger")]);
      expect(batched!.meta).toMatchObject({ changes: 1, last_row_id: 9007199254740992 });
    });
  });

  describe("errors", () => {
    it("rejects a syntax error with D1_ERROR and SQLite's message, the bare message as cause", async () => {
      const db = await fresh();
      const error = await rejection(db.prepare("SELEC 1").all());
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('D1_ERROR: near "SELEC": syntax error at offset 0: SQLITE_ERROR');
      expect((error.cause as Error).message).toBe('near "SELEC": syntax error at offset 0: SQLITE_ERROR');
    });

    it("rejects a missing table, a constraint and a wrong number of bindings with D1_ERROR", async () => {
      const db = await fresh();
      expect((await rejection(db.prepare("SELECT * FROM nope").all())).message).toBe("D1_ERROR: no such table: nope: SQLITE_ERROR");
      await db.prepare("INSERT INTO users (id, name) VALUES (1, 'ada')").run();
      expect((await rejection(db.prepare("INSERT INTO users (id, name) VALUES (1, 'again')").run())).message).toBe(
        "D1_ERROR: UNIQUE constraint failed: users.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
      );
      expect((await rejection(db.prepare("SELECT ?, ?").bind(1).all())).message).toBe(
        "D1_ERROR: Wrong number of parameter bindings for SQL query.",
      );
    });

    it("refuses SQL transactions and durabox's own tables, as local workerd does", async () => {
      const db = await fresh();
      expect((await rejection(db.prepare("BEGIN TRANSACTION").run())).message).toMatch(/^D1_ERROR: To execute a transaction, please use/);
      expect((await rejection(db.prepare("CREATE TABLE _cf_x (a)").run())).message).toMatch(/^D1_ERROR: .*SQLITE_AUTH$/);
    });

    it("rejects an empty statement", async () => {
      const db = await fresh();
      expect((await rejection(db.prepare("").all())).message).toBe("D1_ERROR: SQL code did not contain a statement.");
    });
  });

  describe("batch", () => {
    it("runs statements in order and answers each as all() would", async () => {
      const db = await fresh();
      const results = await db.batch([
        db.prepare("INSERT INTO users (name) VALUES (?)").bind("ada"),
        db.prepare("INSERT INTO users (name) VALUES (?)").bind("bob"),
        db.prepare("SELECT name FROM users ORDER BY id"),
      ]);
      expect(results.map((result) => result.meta.changes)).toEqual([1, 1, 0]);
      expect(results[2]!.results).toEqual([{ name: "ada" }, { name: "bob" }]);
    });

    it("is atomic: when a statement fails, nothing of the batch stays", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (id, name) VALUES (1, 'ada')").run();
      const error = await rejection(
        db.batch([
          db.prepare("INSERT INTO users (id, name) VALUES (2, 'bob')"),
          db.prepare("UPDATE users SET name = 'changed' WHERE id = 1"),
          db.prepare("INSERT INTO users (id, name) VALUES (1, 'duplicate')"),
        ]),
      );
      expect(error.message).toBe(
        "D1_ERROR: UNIQUE constraint failed: users.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
      );
      expect((await db.prepare("SELECT id, name FROM users").all()).results).toEqual([{ id: 1, name: "ada" }]);
    });

    it("is atomic for schema changes too", async () => {
      const db = await fresh();
      await rejection(db.batch([db.prepare("CREATE TABLE t (a)"), db.prepare("SELEC 1")]));
      expect(await db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").first()).toBeNull();
    });

    it("rejects an empty batch and anything but prepared statements", async () => {
      const db = await fresh();
      expect((await rejection(db.batch([]))).message).toBe("D1_ERROR: No SQL statements detected.");
      expect(await rejection(db.batch(["SELECT 1"] as never))).toBeInstanceOf(TypeError);
    });
  });

  describe("exec", () => {
    it("runs one line at a time and counts the lines run", async () => {
      const { db } = openD1(driver);
      const result = await db.exec(
        "CREATE TABLE t (a INTEGER);\nINSERT INTO t VALUES (1);\n\n-- a comment\nINSERT INTO t VALUES (2); INSERT INTO t VALUES (3);\n",
      );
      expect(result.count).toBe(3);
      expect(typeof result.duration).toBe("number");
      expect(await db.prepare("SELECT count(*) AS n FROM t").first("n")).toBe(3);
    });

    it("fails with D1_EXEC_ERROR naming line 1, as local workerd does, and keeps nothing of the call", async () => {
      const { db } = openD1(driver);
      await db.exec("CREATE TABLE t (a INTEGER)");
      const error = await rejection(db.exec("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nINSERT INTO nope VALUES (3);"));
      expect(error.message).toBe("D1_EXEC_ERROR: Error in line 1: INSERT INTO t VALUES (1);: no such table: nope: SQLITE_ERROR");
      expect((error.cause as Error).message).toBe("Error in line 1: INSERT INTO t VALUES (1);: no such table: nope: SQLITE_ERROR");
      expect(await db.prepare("SELECT count(*) AS n FROM t").first("n")).toBe(0);
    });

    it("reports a syntax error", async () => {
      const { db } = openD1(driver);
      expect((await rejection(db.exec("CREATE TABLE"))).message).toBe(
        "D1_EXEC_ERROR: Error in line 1: CREATE TABLE: incomplete input: SQLITE_ERROR",
      );
    });

    it("refuses text without a statement", async () => {
      const { db } = openD1(driver);
      expect((await rejection(db.exec("  \n-- nothing\n"))).message).toBe(
        "D1_EXEC_ERROR: Error in line 1: -- nothing: No SQL statements detected.",
      );
    });
  });

  describe("withSession", () => {
    it("starts without a bookmark and keeps the latest one its queries return", async () => {
      const db = await fresh();
      const session = db.withSession();
      expect(session.getBookmark()).toBeNull();
      await session.prepare("INSERT INTO users (name) VALUES ('ada')").run();
      const first = session.getBookmark();
      expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
      await session.batch([session.prepare("SELECT * FROM users")]);
      const second = session.getBookmark()!;
      expect(second > first!).toBe(true);
      expect(db.withSession("first-primary").getBookmark()).toBeNull();
    });

    it("reads its own writes, and a session from a bookmark starts with that bookmark", async () => {
      const db = await fresh();
      const writer = db.withSession("first-primary");
      await writer.prepare("INSERT INTO users (name) VALUES ('ada')").run();
      const reader = db.withSession(writer.getBookmark()!);
      expect(reader.getBookmark()).toBe(writer.getBookmark());
      expect(await reader.prepare("SELECT name FROM users").first("name")).toBe("ada");
      expect(db.withSession("  ").getBookmark()).toBeNull();
      expect(() => db.withSession(5 as never)).toThrow(TypeError);
    });
  });

  describe("dump", () => {
    it("returns the database as a SQLite file", async () => {
      const db = await fresh();
      await db.prepare("INSERT INTO users (name) VALUES ('ada')").run();
      const file = await db.dump();
      expect(file).toBeInstanceOf(ArrayBuffer);
      expect(new TextDecoder().decode(file.slice(0, 15))).toBe("SQLite format 3");
      const { SqliteDatabase } = await import("../../../src/sql/database.js");
      const { writeFileSync, mkdtempSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      const path = await import("node:path");
      const where = path.join(mkdtempSync(path.join(tmpdir(), "durabox-d1-dump-test-")), "copy.sqlite");
      writeFileSync(where, new Uint8Array(file));
      const copy = new SqliteDatabase({ location: where, driver });
      expect(copy.query("SELECT name FROM users").map((row) => row[0])).toEqual(["ada"]);
      copy.close();
    });
  });
});
