import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  env,
  evictDurableObject,
  getDurableObjectStorage,
  listDurableObjectIds,
  runDurableObjectAlarm,
  runInDurableObject,
} from "durabox/testing";
import worker, { ChatRoom } from "../src/index";

const BEGIN_REFUSED =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs " +
  "instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements.";

/** The object's own tables (production keeps its key-value data and metadata in tables named _cf_...). */
const tableNames = (stub: DurableObjectStub<ChatRoom>): string[] =>
  getDurableObjectStorage(stub)
    .sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 4) <> '_cf_' ORDER BY name")
    .toArray()
    .map((row) => row.name);

describe("a SQLite-backed chat room", () => {
  it("stores messages over RPC and HTTP", async () => {
    const stub = env.CHAT_ROOM.getByName("general");
    expect(await stub.post("ada", "hello")).toBe(1);
    const response = await worker.fetch(
      new Request("http://x/general", { method: "POST", body: JSON.stringify({ author: "bob", body: "hi" }) }),
      env,
    );
    expect(response.status).toBe(201);
    expect(await stub.history()).toEqual([
      { id: 1, author: "ada", body: "hello" },
      { id: 2, author: "bob", body: "hi" },
    ]);
    expect(await stub.posts()).toBe(2);
  });

  it("runs SQL inside the object, on the instance the test's class made", async () => {
    const stub = env.CHAT_ROOM.getByName("inside");
    await stub.post("ada", "one");
    const result = await runInDurableObject(stub, (instance: ChatRoom, ctx: DurableObjectState) => {
      expect(instance).toBeInstanceOf(ChatRoom);
      const { n } = ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM messages").one();
      return { n, posts: ctx.storage.kv.get("posts"), session: instance.postsThisSession };
    });
    expect(result).toEqual({ n: 1, posts: 1, session: 1 });
  });

  it("reads and writes SQL without constructing the object (getDurableObjectStorage)", async () => {
    const stub = env.CHAT_ROOM.getByName("unconstructed");
    const sql = getDurableObjectStorage(stub).sql;
    // The constructor never ran, so its schema is not there yet.
    expect(tableNames(stub)).toEqual([]);
    sql.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, author TEXT NOT NULL, body TEXT NOT NULL, attachment BLOB)");
    sql.exec("INSERT INTO messages (author, body) VALUES (?, ?)", "seed", "planted by the test");
    // The object starts on the data the test planted (CREATE TABLE IF NOT EXISTS keeps it).
    expect(await stub.history()).toEqual([{ id: 1, author: "seed", body: "planted by the test" }]);
  });

  it("changes rows and schema in one test...", async () => {
    const stub = env.CHAT_ROOM.getByName("isolated");
    await stub.post("ada", "written in the test");
    const sql = getDurableObjectStorage(stub).sql;
    sql.exec("ALTER TABLE messages ADD COLUMN edited_at INTEGER");
    sql.exec("CREATE TABLE reactions (message_id INTEGER, emoji TEXT)");
    expect(tableNames(stub)).toEqual(["messages", "reactions"]);
  });

  it("...and the next test starts without them", async () => {
    const stub = env.CHAT_ROOM.getByName("isolated");
    expect(tableNames(stub)).toEqual([]);
    expect(await stub.history()).toEqual([]);
    const columns = getDurableObjectStorage(stub)
      .sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('messages')")
      .toArray()
      .map((column) => column.name);
    expect(columns).toEqual(["id", "author", "body", "attachment"]);
  });

  it("writes a batch all or nothing with transactionSync", async () => {
    const stub = env.CHAT_ROOM.getByName("import");
    const broken = [
      { author: "ada", body: "kept?" },
      { author: "bob", body: null as unknown as string },
    ];
    await expect(stub.importMessages(broken)).rejects.toThrow("NOT NULL constraint failed: messages.body");
    expect(await stub.history()).toEqual([]);
    await stub.importMessages([{ author: "ada", body: "kept" }]);
    expect(await stub.history()).toEqual([{ id: 1, author: "ada", body: "kept" }]);
  });

  it("returns BLOBs as ArrayBuffers of the test's realm", async () => {
    const stub = env.CHAT_ROOM.getByName("files");
    const id = await stub.post("ada", "a file", new Uint8Array([1, 2, 3]));
    const row = getDurableObjectStorage(stub).sql.exec<{ attachment: ArrayBuffer }>("SELECT attachment FROM messages").one();
    expect(row.attachment).toBeInstanceOf(ArrayBuffer);
    expect(row.attachment instanceof ArrayBuffer).toBe(true);
    expect([...new Uint8Array(row.attachment)]).toEqual([1, 2, 3]);
    const overRpc = await stub.attachment(id);
    expect(overRpc instanceof ArrayBuffer).toBe(true);
    const inside = await runInDurableObject(
      stub,
      (_instance, ctx) => ctx.storage.sql.exec("SELECT attachment FROM messages").raw().next().value?.[0],
    );
    expect(inside instanceof ArrayBuffer).toBe(true);
  });

  it("refuses SQL transaction statements with production's message", async () => {
    const stub = env.CHAT_ROOM.getByName("no-begin");
    expect(() => getDurableObjectStorage(stub).sql.exec("BEGIN TRANSACTION")).toThrow(BEGIN_REFUSED);
    await expect(runInDurableObject(stub, (_instance, ctx) => ctx.storage.sql.exec("SAVEPOINT mine"))).rejects.toThrow(BEGIN_REFUSED);
  });

  it("runs the alarm on demand: it clears the history", async () => {
    const stub = env.CHAT_ROOM.getByName("alarmed");
    await stub.post("ada", "soon gone");
    expect(await getDurableObjectStorage(stub).getAlarm()).toBeGreaterThan(Date.now());
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.history()).toEqual([]);
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("keeps the data when the instance is evicted, not its fields", async () => {
    const stub = env.CHAT_ROOM.getByName("evicted");
    await stub.post("ada", "survives");
    expect(evictDurableObject(stub)).toBe(true);
    expect(await stub.history()).toEqual([{ id: 1, author: "ada", body: "survives" }]);
    expect(await runInDurableObject(stub, (instance: ChatRoom) => instance.postsThisSession)).toBe(0);
  });

  it("lists the rooms that hold data", async () => {
    await env.CHAT_ROOM.getByName("one").post("ada", "x");
    await env.CHAT_ROOM.getByName("two").post("bob", "y");
    const ids = await listDurableObjectIds(env.CHAT_ROOM);
    expect(ids.map(String).sort()).toEqual([env.CHAT_ROOM.idFromName("one").toString(), env.CHAT_ROOM.idFromName("two").toString()].sort());
  });
});

describe("rows written in beforeAll", () => {
  beforeAll(async () => {
    await env.CHAT_ROOM.getByName("shared").post("setup", "for the whole block");
  });

  it("are seen by the block's first test", async () => {
    const stub = env.CHAT_ROOM.getByName("shared");
    expect(await stub.post("ada", "only in this test")).toBe(2);
  });

  it("and by the next, without the first test's row", async () => {
    expect(await env.CHAT_ROOM.getByName("shared").history()).toEqual([{ id: 1, author: "setup", body: "for the whole block" }]);
  });

  afterAll(async () => {
    expect(await env.CHAT_ROOM.getByName("shared").posts()).toBe(1);
  });
});

describe("after the block", () => {
  it("its beforeAll rows are gone", async () => {
    expect(await listDurableObjectIds(env.CHAT_ROOM)).toEqual([]);
  });
});
