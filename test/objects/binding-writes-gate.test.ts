import { afterEach, describe, expect, it, vi } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { until } from "../helpers/websockets.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { BindingData } from "../../src/bindings/binding-data.js";
import { KVNamespace } from "../../src/bindings/kv/namespace.js";
import { R2Bucket } from "../../src/bindings/r2/bucket.js";
import { R2Storage } from "../../src/bindings/r2/r2-storage.js";
import { D1Database } from "../../src/bindings/d1/database.js";
import { D1Store } from "../../src/bindings/d1/store.js";
import { QueueBroker } from "../../src/bindings/queues/broker.js";
import { Queue } from "../../src/bindings/queues/producer.js";
import { DurableObject } from "../../src/rpc/classes.js";
import type { DurableObjectState } from "../../src/objects/state.js";

// workerd sends a binding's request made inside a Durable Object only once the object's
// storage writes made before it are confirmed (waitForOutputLocks in api/kv.c++, r2-rpc.c++,
// queue.c++, http.c++): the output gate holds it, and a failed write means it never leaves.

interface Bindings {
  KV: KVNamespace;
  BUCKET: R2Bucket;
  DB: D1Database;
  JOBS: Queue;
}

/** Stores without awaiting, then writes to a binding, the way production code does. */
class Writer extends DurableObject<Bindings> {
  async write(target: string): Promise<string> {
    void (this.ctx as DurableObjectState).storage.put("last", target);
    const env = this.env;
    if (target === "kv") await env.KV.put("k", "v");
    if (target === "kv-delete") await env.KV.delete("k");
    if (target === "r2") await env.BUCKET.put("k", "v");
    if (target === "r2-delete") await env.BUCKET.delete("k");
    if (target === "d1") await env.DB.prepare("INSERT INTO t VALUES (1)").run();
    if (target === "d1-batch") await env.DB.batch([env.DB.prepare("INSERT INTO t VALUES (2)")]);
    if (target === "queue") await env.JOBS.send("job");
    return "done";
  }
  async noPendingWrite(): Promise<string | null> {
    await this.env.KV.put("free", "1");
    return this.env.KV.get("free") as Promise<string | null>;
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const close of cleanup.splice(0)) await close();
});

async function setUp() {
  const backend = new SlowBackend(new MemoryBackend(), 0);
  const kv = new KVNamespace(new BindingData("kv", new MemoryBackend()).store("ns"));
  const storage = new R2Storage({ kind: "memory" });
  const d1 = new D1Store();
  const broker = new QueueBroker(new MemoryBackend(), new Map());
  const env: Bindings = {
    KV: kv,
    BUCKET: new R2Bucket(storage, "bucket"),
    DB: new D1Database(d1),
    JOBS: new Queue(broker, { queueName: "jobs", deliveryDelay: undefined, defaultContentType: "json" }),
  };
  await env.DB.exec("CREATE TABLE t (v)");
  await env.KV.put("k", "before");
  await env.BUCKET.put("k", "before");
  const { runtime, ns } = runtimeWith({ Writer: Writer as never }, { backend, env: env as never });
  cleanup.push(async () => {
    backend.releaseWrites();
    await runtime.dispose?.();
    await broker.dispose();
    await storage.dispose();
    await d1.dispose();
  });
  const stub = ns("Writer").getByName("w") as unknown as { write(t: string): Promise<string>; noPendingWrite(): Promise<string | null> };
  return { backend, runtime, env, stub };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** What the binding holds now, read from outside the object. */
async function seen(env: Bindings, target: string): Promise<unknown> {
  if (target.startsWith("kv")) return env.KV.get("k");
  if (target.startsWith("r2")) return ((await env.BUCKET.get("k")) as { text(): Promise<string> } | null)?.text() ?? null;
  if (target.startsWith("d1")) return (await env.DB.prepare("SELECT count(*) AS n FROM t").first("n")) as number;
  return (await env.JOBS.metrics()).backlogCount;
}

describe("binding requests made in a Durable Object wait for its output gate", () => {
  const cases: [target: string, before: unknown, after: unknown][] = [
    ["kv", "before", "v"],
    ["kv-delete", "before", null],
    ["r2", "before", "v"],
    ["r2-delete", "before", null],
    ["d1", 0, 1],
    ["d1-batch", 0, 1],
    ["queue", 0, 1],
  ];

  it.each(cases)("%s: held until the storage write made before it is confirmed", async (target, before, after) => {
    const { backend, env, stub } = await setUp();
    backend.holdWrites = true;
    const call = stub.write(target);
    await until(() => backend.held.length === 1);
    await settle();
    expect(await seen(env, target)).toEqual(before);
    backend.releaseWrites();
    expect(await call).toBe("done");
    expect(await seen(env, target)).toEqual(after);
  });

  it.each(cases)("%s: never sent when that write fails (the object is reset)", async (target, before) => {
    const { backend, env, stub } = await setUp();
    vi.spyOn(console, "error").mockImplementation(() => {});
    backend.failNextWrite = new Error("disk on fire");
    await expect(stub.write(target)).rejects.toThrow(/disk on fire|was not sent: a storage write the Durable Object made before it failed/);
    await settle();
    expect(await seen(env, target)).toEqual(before);
  });

  it("go at once when no write is pending, and outside any object", async () => {
    const { backend, env, stub } = await setUp();
    backend.holdWrites = true;
    expect(await stub.noPendingWrite()).toBe("1");
    await env.KV.put("outside", "x");
    expect(await env.KV.get("outside")).toBe("x");
  });
});
