import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import type { DurableObjectId } from "../../src/objects/id.js";
import type { DurableObjectNamespace } from "../../src/objects/namespace.js";

// A SQLite-backed class (useSQLite) beside a key-value-backed one, as user code writes them.
const script = `
  import { DurableObject } from "cloudflare:workers";
  export class Notes {
    constructor(ctx) {
      this.ctx = ctx;
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
    }
    async fetch(request) {
      const url = new URL(request.url);
      const sql = this.ctx.storage.sql;
      if (url.pathname === "/add") {
        sql.exec("INSERT INTO notes (text) VALUES (?)", url.searchParams.get("text"));
        // No await between: the row and the count commit together.
        this.ctx.storage.kv.put("count", (this.ctx.storage.kv.get("count") ?? 0) + 1);
        return new Response("added");
      }
      if (url.pathname === "/add-then-throw") {
        sql.exec("INSERT INTO notes (text) VALUES ('lost')");
        throw new Error("boom");
      }
      if (url.pathname === "/txn-throw") {
        await this.ctx.storage.transaction(async () => {
          sql.exec("INSERT INTO notes (text) VALUES ('in txn')");
          await new Promise((resolve) => setTimeout(resolve, 1));
          sql.exec("INSERT INTO notes (text) VALUES ('after await')");
          throw new Error("rolled back");
        }).catch(() => {});
        return new Response("ok");
      }
      if (url.pathname === "/sync-throw") {
        try {
          this.ctx.storage.transactionSync(() => {
            sql.exec("INSERT INTO notes (text) VALUES ('sync')");
            throw new Error("undo");
          });
        } catch {}
        return new Response("ok");
      }
      if (url.pathname === "/alarm") {
        await this.ctx.storage.setAlarm(Date.now() + 60_000);
        return new Response("set");
      }
      return Response.json(sql.exec("SELECT text FROM notes ORDER BY id").toArray().map((row) => row.text));
    }
    async alarm() {
      this.ctx.storage.sql.exec("INSERT INTO notes (text) VALUES ('alarm ran')");
    }
  }
  export class Ledger extends DurableObject {
    insert(id) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY)");
      this.ctx.storage.sql.exec("INSERT INTO entries VALUES (?)", id);
    }
    async wipe() {
      await this.ctx.storage.deleteAll();
      const left = this.ctx.storage.sql.exec("SELECT name FROM sqlite_schema").toArray();
      return { left, size: this.ctx.storage.sql.databaseSize };
    }
    async wipeInTransaction() {
      return this.ctx.storage.transaction(async () => {
        this.ctx.storage.sql.exec("INSERT INTO entries VALUES (100)");
        await this.ctx.storage.deleteAll();
      });
    }
    async txnWipe() {
      return this.ctx.storage.transaction((txn) => txn.deleteAll());
    }
    count() {
      return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM entries").one().n;
    }
  }
  export class Legacy {
    constructor(ctx) { this.ctx = ctx; }
    async fetch() {
      try { this.ctx.storage.sql; } catch (error) { return new Response(error.message, { status: 500 }); }
      return new Response("no error");
    }
  }
  export default { fetch: () => new Response("ok") };
`;

const options = {
  script,
  durableObjects: { NOTES: { className: "Notes", useSQLite: true }, LEDGER: { className: "Ledger", useSQLite: true }, LEGACY: "Legacy" },
};

async function notesOf(
  mf: Durabox,
  name = "a",
): Promise<{ ns: DurableObjectNamespace; id: DurableObjectId; call: (p: string) => Promise<Response> }> {
  const ns = await mf.getDurableObjectNamespace("NOTES");
  const id = ns.idFromName(name);
  const stub = ns.get(id);
  return { ns, id, call: (p) => stub.fetch(`http://x${p}`) };
}

describe("SQLite-backed Durable Objects", () => {
  it("run ctx.storage.sql and ctx.storage.kv in one database, committed together", async () => {
    const mf = new Durabox(options);
    const { id, call } = await notesOf(mf);
    await call("/add?text=one");
    await call("/add?text=two");
    expect(await (await call("/")).json()).toEqual(["one", "two"]);
    const storage = await mf.getDurableObjectStorage(id);
    expect(storage.kv.get("count")).toBe(2);
    expect(await storage.get("count")).toBe(2);
    expect(storage.sql.exec("SELECT count(*) AS n FROM notes").one()).toEqual({ n: 2 });
    await mf.dispose();
  });

  it("reject an RPC call with SQLite's message as workerd words it, extended code included", async () => {
    const mf = new Durabox(options);
    const ns = await mf.getDurableObjectNamespace("LEDGER");
    const stub = ns.get(ns.idFromName("a")) as unknown as { insert(id: number): Promise<void> };
    await stub.insert(1);
    const error = await stub.insert(1).then(
      () => undefined,
      (reason: Error) => reason,
    );
    expect(error?.message).toBe("UNIQUE constraint failed: entries.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)");
    await mf.dispose();
  });

  it("deleteAll() drops the object's own tables and shrinks databaseSize; inside transaction() it is refused", async () => {
    const mf = new Durabox(options);
    const ns = await mf.getDurableObjectNamespace("LEDGER");
    const stub = ns.get(ns.idFromName("w")) as unknown as {
      insert(id: number): Promise<void>;
      wipe(): Promise<{ left: unknown[]; size: number }>;
      wipeInTransaction(): Promise<void>;
      txnWipe(): Promise<void>;
      count(): Promise<number>;
    };
    for (let id = 1; id <= 3; id++) await stub.insert(id);
    const refused = await stub.wipeInTransaction().then(
      () => undefined,
      (reason: Error) => reason,
    );
    expect(refused?.message).toBe("Cannot call deleteAll() within a transaction");
    await expect(stub.txnWipe()).rejects.toThrow("Cannot call deleteAll() within a transaction");
    // The transaction rolled back, its insert with it.
    expect(await stub.count()).toBe(3);
    expect(await stub.wipe()).toEqual({ left: [], size: 4096 });
    await mf.dispose();
  });

  it("give a key-value-backed class production's error, saying how to enable SQLite", async () => {
    const mf = new Durabox(options);
    const ns = await mf.getDurableObjectNamespace("LEGACY");
    const response = await ns.get(ns.idFromName("x")).fetch("http://x/");
    const message = await response.text();
    expect(message).toMatch(/^SQL is not enabled for this Durable Object class\./);
    expect(message).toContain("new_sqlite_classes");
    expect(message).toContain("useSQLite: true");
    const storage = await mf.getDurableObjectStorage(ns.idFromName("x"));
    expect(() => storage.kv).toThrow("The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects.");
    expect(() => storage.transactionSync(() => 1)).toThrow("Durable Object is not backed by SQL.");
    await mf.dispose();
  });

  it("roll back a throwing transactionSync and a throwing async transaction, keeping nothing of either", async () => {
    const mf = new Durabox(options);
    const { call } = await notesOf(mf);
    await call("/add?text=kept");
    await call("/sync-throw");
    await call("/txn-throw");
    expect(await (await call("/")).json()).toEqual(["kept"]);
    await mf.dispose();
  });

  it("run alarms stored in the database, and deleteAll() removes SQL, key-value data and the alarm", async () => {
    const mf = new Durabox({ ...options, durableObjectsAlarms: false });
    const { id, call } = await notesOf(mf);
    await call("/alarm");
    const storage = await mf.getDurableObjectStorage(id);
    expect(await storage.getAlarm()).toBeGreaterThan(Date.now());
    await mf.runtime.runAlarm(id);
    expect(await storage.getAlarm()).toBeNull();
    expect(await (await call("/")).json()).toEqual(["alarm ran"]);
    await call("/alarm");
    await storage.deleteAll();
    expect(await storage.getAlarm()).toBeNull();
    expect(mf.runtime.alarms.scheduledTime({ namespace: `#Notes`, id: id.toString() })).toBeUndefined();
    expect(storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'notes'").toArray()).toEqual([]);
    await mf.dispose();
  });

  it("list SQLite objects that hold data among a namespace's ids", async () => {
    const mf = new Durabox(options);
    const { ns, call } = await notesOf(mf, "listed");
    await call("/add?text=x");
    await mf.runtime.evict(ns.idFromName("listed"));
    const ids = await mf.runtime.listIds("#Notes");
    expect(ids.map(String)).toEqual([ns.idFromName("listed").toString()]);
    await mf.dispose();
  });

  it("roll a test's SQL writes and schema changes back, keeping what an outer scope wrote, in O(1) layers", async () => {
    const runtime = new TestRuntime(options);
    const { id, call } = await notesOf(runtime.durabox);
    runtime.enterScope(); // a describe block
    await call("/add?text=from beforeAll");
    runtime.enterScope(); // a test
    await call("/add?text=from the test");
    runtime.getDurableObjectStorage(id).sql.exec("CREATE TABLE extra (x)");
    expect(await (await call("/")).json()).toEqual(["from beforeAll", "from the test"]);
    await runtime.exitScope();
    expect(await (await call("/")).json()).toEqual(["from beforeAll"]);
    expect(runtime.getDurableObjectStorage(id).sql.exec("SELECT name FROM sqlite_master WHERE name = 'extra'").toArray()).toEqual([]);
    await runtime.exitScope();
    expect(await (await call("/")).json()).toEqual([]);
    await runtime.dispose();
  });

  it("after a test, reschedule the alarms only of the SQLite objects written in it, as of key-value ones", async () => {
    const runtime = new TestRuntime(options);
    const a = await notesOf(runtime.durabox, "a");
    const b = await notesOf(runtime.durabox, "b");
    runtime.enterScope(); // a describe block: both objects open, a written in an earlier test
    await a.call("/add?text=one");
    await b.call("/add?text=two");
    const objects = runtime.durabox.internals.objects;
    objects.pushLayer(); // a test that writes only to b
    runtime.getDurableObjectStorage(b.id).sql.exec("INSERT INTO notes (text) VALUES ('three')");
    expect(runtime.getDurableObjectStorage(a.id).sql.exec("SELECT count(*) AS n FROM notes").one()).toEqual({ n: 1 });
    expect(objects.popLayer().map((address) => address.id)).toEqual([b.id.toString()]);
    objects.pushLayer(); // a test that only reads
    expect(runtime.getDurableObjectStorage(b.id).sql.exec("SELECT count(*) AS n FROM notes").one()).toEqual({ n: 1 });
    expect(objects.popLayer()).toEqual([]);
    objects.pushLayer(); // a test that sets an alarm
    await runtime.getDurableObjectStorage(a.id).setAlarm(Date.now() + 60_000);
    expect(objects.popLayer().map((address) => address.id)).toEqual([a.id.toString()]);
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("persist one database per object in the object's directory, and schedule its alarm in the next runtime", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-sqlite-"));
    const first = new Durabox({ ...options, durableObjectsPersist: dir });
    const { id, call } = await notesOf(first);
    await call("/add?text=durable");
    await call("/alarm");
    await first.dispose();
    const files = path.join(dir, encodeURIComponent("#Notes").replace(/\./g, "%2E"), id.toString());
    expect(existsSync(path.join(files, "db.sqlite"))).toBe(true);

    const second = new Durabox({ ...options, durableObjectsPersist: dir, durableObjectsAlarms: false });
    const again = await notesOf(second);
    expect(await (await again.call("/")).json()).toEqual(["durable"]);
    await second.ready;
    expect(second.runtime.alarms.pending().map((address) => address.id)).toEqual([id.toString()]);
    await second.dispose();
  });

  it("refuse SQLite-backed classes with Redis persistence, saying they persist to a directory", () => {
    expect(() => new Durabox({ ...options, durableObjectsPersist: "redis://127.0.0.1:1" })).toThrow(/persist to a directory, not to Redis/);
  });

  it("restore a bookmark on the object's next session (onNextSessionRestoreBookmark, then abort)", async () => {
    const mf = new Durabox(options);
    const { id, call } = await notesOf(mf);
    await call("/add?text=before");
    const storage = await mf.getDurableObjectStorage(id);
    const bookmark = await storage.getCurrentBookmark();
    expect(bookmark).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/);
    await call("/add?text=after");
    await storage.onNextSessionRestoreBookmark(bookmark);
    mf.runtime.liveInstance(id)!.abort("restore");
    expect(await (await call("/")).json()).toEqual(["before"]);
    await mf.dispose();
  });
});
