import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { D1Database, Durabox, DuraboxError } from "../../../src/index.js";

const worker = `
  export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname === "/setup") {
        await env.DB.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
        return new Response("ok");
      }
      if (request.method === "POST") {
        const { meta } = await env.DB.prepare("INSERT INTO notes (body) VALUES (?)").bind(await request.text()).run();
        return Response.json({ id: meta.last_row_id });
      }
      const { results } = await env.DB.prepare("SELECT id, body FROM notes ORDER BY id").all();
      return Response.json(results);
    },
  };`;

describe("D1 in a Durabox", () => {
  it("gives worker code env.DB, and getD1Database() reaches the same data", async () => {
    const mf = new Durabox({ script: worker, d1Databases: ["DB"] });
    await mf.dispatchFetch("/setup");
    expect(await mf.dispatchFetch("/", { method: "POST", body: "hello" }).json()).toEqual({ id: 1 });
    expect(await mf.dispatchFetch("/").json()).toEqual([{ id: 1, body: "hello" }]);
    const db = await mf.getD1Database("DB");
    expect(db).toBeInstanceOf(D1Database);
    await db.prepare("INSERT INTO notes (body) VALUES ('from the test')").run();
    expect(await mf.dispatchFetch("/").json()).toEqual([
      { id: 1, body: "hello" },
      { id: 2, body: "from the test" },
    ]);
    expect((await mf.getBindings()).DB).toBe(db);
    await mf.dispose();
  });

  it("shares one database between bindings naming the same id, and keeps different ids apart", async () => {
    const mf = new Durabox({ d1Databases: { A: "shared", B: "shared", C: "other" } });
    const [a, b, c] = await Promise.all(["A", "B", "C"].map((binding) => mf.getD1Database(binding)));
    await a!.exec("CREATE TABLE t (v TEXT)");
    await a!.prepare("INSERT INTO t VALUES ('x')").run();
    expect(await b!.prepare("SELECT v FROM t").first("v")).toBe("x");
    expect((await c!.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all()).results).toEqual([]);
    await mf.dispose();
  });

  it("shares a database between workers binding the same id", async () => {
    const mf = new Durabox({
      workers: [
        { name: "a", script: "export default {}", d1Databases: { DB: "app" } },
        { name: "b", script: "export default {}", d1Databases: { STORE: "app" } },
      ],
    });
    await (await mf.getD1Database("DB", "a")).exec("CREATE TABLE t (v)");
    expect(await (await mf.getD1Database("STORE", "b")).prepare("SELECT count(*) AS n FROM t").first("n")).toBe(0);
    await mf.dispose();
  });

  it("reads d1_databases from the wrangler config", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-d1-wrangler-"));
    writeFileSync(
      path.join(dir, "wrangler.toml"),
      '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "app"\ndatabase_id = "1234"\nmigrations_dir = "migrations"\n',
    );
    const mf = new Durabox({ wranglerConfigPath: path.join(dir, "wrangler.toml") });
    expect(await (await mf.getD1Database("DB")).prepare("SELECT 1 AS one").first("one")).toBe(1);
    await mf.dispose();
  });

  it("names the configured bindings when asked for an unknown one", async () => {
    const mf = new Durabox({ d1Databases: ["DB", "LOGS"] });
    const error = await mf.getD1Database("NOPE").catch((e: unknown) => e as DuraboxError);
    expect(error).toBeInstanceOf(DuraboxError);
    expect(error).toMatchObject({ code: "ERR_BINDING_NOT_FOUND", message: 'No D1 database binding named "NOPE". D1 bindings: DB, LOGS.' });
    const none = new Durabox({});
    await expect(none.getD1Database("DB")).rejects.toThrow("No D1 databases are configured (option d1Databases).");
    await Promise.all([mf.dispose(), none.dispose()]);
  });

  it("refuses bad option values, and a binding name used twice", () => {
    expect(() => new Durabox({ d1Databases: "DB" as never })).toThrow(/d1Databases/);
    expect(() => new Durabox({ d1Databases: { DB: 1 } as never })).toThrow(
      /an array of binding names or an object of binding to database id/,
    );
    expect(() => new Durabox({ d1Databases: [""] })).toThrow(DuraboxError);
    expect(() => new Durabox({ d1Databases: ["DB"], bindings: { DB: 1 } })).toThrow(
      '"DB" is both a D1 database binding and a plain binding: rename one.',
    );
    expect(() => new Durabox({ d1Persist: "redis://localhost" })).toThrow(/d1Persist.*accepts true or a directory/);
    expect(() => new Durabox({ d1Persist: 3 as never })).toThrow(/d1Persist/);
  });

  it("fails after dispose with ERR_DISPOSED", async () => {
    const mf = new Durabox({ d1Databases: ["DB"] });
    const db = await mf.getD1Database("DB");
    await mf.dispose();
    await expect(db.prepare("SELECT 1").all()).rejects.toMatchObject({ code: "ERR_DISPOSED" });
  });
});
