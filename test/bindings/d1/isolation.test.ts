import { describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import type { D1Database } from "../../../src/bindings/d1/database.js";
import { TestRuntime } from "../../../src/testing/test-runtime.js";
import { sqliteDrivers } from "../../helpers/sqlite.js";
import { openD1, rejection } from "./helpers.js";

const names = async (db: D1Database) => (await db.prepare("SELECT name FROM users ORDER BY name").raw()).map(([name]) => name);

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("D1 isolation layers on %s", (_name, driver) => {
  const seeded = async () => {
    const opened = openD1(driver);
    await opened.db.exec("CREATE TABLE users (name TEXT PRIMARY KEY)");
    await opened.db.prepare("INSERT INTO users VALUES ('below')").run();
    return opened;
  };

  it("pop() undoes the layer's writes, schema included, and keeps what was below", async () => {
    const { db, store } = await seeded();
    store.pushLayer();
    await db.prepare("INSERT INTO users VALUES ('in the layer')").run();
    await db.exec("CREATE TABLE extra (a)");
    expect(await names(db)).toEqual(["below", "in the layer"]);
    store.popLayer();
    expect(await names(db)).toEqual(["below"]);
    expect(await db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").first()).toBeNull();
  });

  it("counts a trigger's rows in changes again once pop() brings back the trigger the layer dropped", async () => {
    const { db, store } = await seeded();
    await db.exec(
      "CREATE TABLE log (name TEXT);\nCREATE TRIGGER logged AFTER INSERT ON users BEGIN INSERT INTO log VALUES (new.name); END",
    );
    const changes = async (name: string) => (await db.prepare("INSERT INTO users VALUES (?)").bind(name).run()).meta.changes;
    expect(await changes("a")).toBe(2);
    store.pushLayer();
    await db.exec("DROP TRIGGER logged");
    expect(await changes("b")).toBe(1);
    store.popLayer();
    expect(await changes("c")).toBe(2);
  });

  it("nests: popping the inner layer keeps the outer one's writes", async () => {
    const { db, store } = await seeded();
    store.pushLayer();
    await db.prepare("INSERT INTO users VALUES ('outer')").run();
    store.pushLayer();
    await db.prepare("INSERT INTO users VALUES ('inner')").run();
    store.popLayer();
    expect(await names(db)).toEqual(["below", "outer"]);
    store.popLayer();
    expect(await names(db)).toEqual(["below"]);
  });

  it("honours layers pushed before the database was first used", async () => {
    const { db, store } = openD1(driver);
    store.pushLayer();
    await db.exec("CREATE TABLE users (name TEXT)");
    store.popLayer();
    expect((await rejection(db.prepare("SELECT * FROM users").all())).message).toBe("D1_ERROR: no such table: users: SQLITE_ERROR");
  });

  it("keeps a batch atomic under a layer: a failed batch leaves nothing, the layer's earlier writes stay", async () => {
    const { db, store } = await seeded();
    store.pushLayer();
    await db.prepare("INSERT INTO users VALUES ('kept')").run();
    await rejection(db.batch([db.prepare("INSERT INTO users VALUES ('dropped')"), db.prepare("INSERT INTO users VALUES ('below')")]));
    expect(await names(db)).toEqual(["below", "kept"]);
    store.popLayer();
    expect(await names(db)).toEqual(["below"]);
  });

  it("deleteAll() empties the database in the current view; popping the layer brings the data back", async () => {
    const { db, store } = await seeded();
    store.pushLayer();
    await store.deleteAll();
    expect(await db.prepare("SELECT name FROM sqlite_master").all()).toMatchObject({ results: [] });
    store.popLayer();
    expect(await names(db)).toEqual(["below"]);
    await store.deleteAll();
    expect((await rejection(db.prepare("SELECT * FROM users").all())).message).toMatch(/no such table: users/);
  });

  it("costs the layer's changes, not the rows stored: 200 scopes over 50,000 rows cost about what they cost over none", async () => {
    const scopes = async (rows: number): Promise<number> => {
      const { db, store } = openD1(driver);
      await db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, v TEXT)");
      if (rows > 0)
        await db
          .prepare("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO items SELECT i, 'x' FROM n")
          .bind(rows)
          .run();
      const insert = db.prepare("INSERT INTO items (v) VALUES ('scoped')");
      const started = performance.now();
      for (let i = 0; i < 200; i++) {
        store.pushLayer();
        await insert.run();
        store.popLayer();
      }
      const elapsed = performance.now() - started;
      expect(await db.prepare("SELECT count(*) AS n FROM items").first("n")).toBe(rows);
      return elapsed;
    };
    await scopes(0); // warm-up
    // The fastest of three each: the machine may be shared, and a timing's noise only ever adds.
    const fastest = async (rows: number) => Math.min(await scopes(rows), await scopes(rows), await scopes(rows));
    const empty = await fastest(0);
    const full = await fastest(50_000);
    // A copy or a scan per scope would cost far more (50,000 rows per pop, 200 pops).
    expect(full).toBeLessThan(empty * 5 + 30);
  });
});

describe("D1 in the test runtime", () => {
  const options = { script: "export default {}", d1Databases: ["DB"] };

  it("rolls back a scope's writes, keeps writes made before it (beforeAll), and catches up on scopes entered before first use", async () => {
    const runtime = new TestRuntime(options);
    runtime.enterScope(); // a describe block, entered before the runtime exists
    const db = runtime.durabox.internals.binding("d1", "DB");
    await db.exec("CREATE TABLE t (v TEXT)");
    await db.prepare("INSERT INTO t VALUES ('beforeAll')").run();
    runtime.enterScope(); // a test
    await db.prepare("INSERT INTO t VALUES ('test')").run();
    expect(await db.prepare("SELECT count(*) AS n FROM t").first("n")).toBe(2);
    await runtime.exitScope();
    expect((await db.prepare("SELECT v FROM t").raw()).flat()).toEqual(["beforeAll"]);
    await runtime.exitScope();
    expect((await rejection(db.prepare("SELECT v FROM t").all())).message).toMatch(/no such table: t/);
    await runtime.dispose();
  });

  it("gives the test helpers and worker code the same database", async () => {
    const runtime = new TestRuntime({
      script: `export default { async fetch(request, env) { return Response.json(await env.DB.prepare("SELECT v FROM t").raw()); } }`,
      d1Databases: ["DB"],
    });
    runtime.enterScope();
    const db = runtime.durabox.internals.binding("d1", "DB");
    await db.exec("CREATE TABLE t (v TEXT);\nINSERT INTO t VALUES ('seen')");
    expect(await (await runtime.durabox.dispatchFetch("/")).json()).toEqual([["seen"]]);
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("pushes and pops every D1 database with the objects' storage", async () => {
    const mf = new Durabox({ d1Databases: { A: "one", B: "two" } });
    const [a, b] = [mf.internals.binding("d1", "A"), mf.internals.binding("d1", "B")];
    mf.internals.pushLayer();
    await a.exec("CREATE TABLE t (v)");
    await b.exec("CREATE TABLE t (v)");
    await mf.internals.popLayer();
    for (const db of [a, b]) expect(await db.prepare("SELECT name FROM sqlite_master").all()).toMatchObject({ results: [] });
    await mf.dispose();
  });
});
