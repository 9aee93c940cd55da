import { execFile, execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { DuraboxError } from "../../src/base/errors.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));
const run = promisify(execFile);
const worker = path.join(fixtures, "counter-worker.mjs");
const options = (url: string) => ({ scriptPath: worker, durableObjects: { COUNTER: "Counter" }, durableObjectsPersist: url });

async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe.skipIf(!requireRedisOrSkip())("Redis backend", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ appendonly: true });
  });
  afterAll(() => redis?.stop());

  it("keeps data across runtimes", async () => {
    const first = new Durabox(options(redis.url));
    const id = (await first.getDurableObjectNamespace("COUNTER")).idFromName("kept");
    await (await first.getDurableObjectStorage(id)).put({ a: 1, b: new Date(7) });
    await first.dispose();
    const second = new Durabox(options(redis.url));
    const stored = await (await second.getDurableObjectStorage(id)).list();
    expect([...stored.entries()]).toEqual([
      ["a", 1],
      ["b", new Date(7)],
    ]);
    await second.dispose();
  });

  it("rejects clearly while Redis is away, writes nothing half, and resumes when it is back", async () => {
    const mf = new Durabox(options(redis.url));
    const storage = await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("outage"));
    await storage.put("before", 1);
    await redis.stop("SIGKILL");
    const error = await storage.put({ x: 1, y: 2, z: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as DuraboxError).code).toBe("ERR_STORAGE");
    expect((error as Error).message).toContain(`Redis at redis://127.0.0.1:${redis.port}`);
    await expect(storage.get("before")).rejects.toThrow(/is unavailable/);
    await redis.start();
    expect(await eventually(() => storage.get("before"))).toBe(1);
    expect([...(await storage.list()).keys()]).toEqual(["before"]);
    await storage.put("after", 2);
    expect(await storage.get("after")).toBe(2);
    await mf.dispose();
  });

  it("keeps every batch whole when Redis is killed while batches are in flight", async () => {
    const mf = new Durabox(options(redis.url));
    const storage = await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("mid-run"));
    let acknowledged = 0;
    // Random kill moments: a non-atomic batch shows up as a mix in some rounds, not in every one.
    for (let round = 1; round <= 5; round++) {
      // Eight writers, each putting batches of three keys (a multi-key put) as fast as Redis takes them.
      const writers = Array.from({ length: 8 }, async () => {
        for (;;) {
          const next = acknowledged + 1;
          try {
            await storage.put({ a: next, b: next, c: next });
          } catch {
            return;
          }
          acknowledged = Math.max(acknowledged, next);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 150));
      await redis.stop("SIGKILL");
      await Promise.all(writers);
      await redis.start();
      const stored = await eventually(() => storage.get<number>(["a", "b", "c"]));
      const values = [stored.get("a"), stored.get("b"), stored.get("c")];
      // One batch's values, never a mix of two; at least the last one acknowledged.
      expect(new Set(values).size, `round ${round}: ${values.join(", ")}`).toBe(1);
      expect(values[0]).toBeGreaterThanOrEqual(acknowledged);
    }
    expect(acknowledged).toBeGreaterThan(3);
    await mf.dispose();
  });

  it("inside an object, holds the response until Redis confirms the pipelined puts, and fails it when Redis is gone", async () => {
    // Puts inside an object resolve at once; only the output gate stands between a lost write and a response.
    const script = `
      export class Writer {
        constructor(state) { this.state = state; }
        async fetch(request) {
          const from = Number(new URL(request.url).searchParams.get("from"));
          for (let i = from; i < from + 50; i++) await this.state.storage.put("k" + (i % 50), i);
          return new Response("wrote");
        }
      }`;
    const writerOptions = { modules: true, script, durableObjects: { WRITER: "Writer" }, durableObjectsPersist: redis.url };
    const mf = new Durabox(writerOptions);
    const ns = await mf.getDurableObjectNamespace("WRITER");
    const stub = ns.get(ns.idFromName("pipelined"));
    expect(await (await stub.fetch("https://w/?from=0")).text()).toBe("wrote");
    const stored = async (runtime: Durabox): Promise<Map<string, number>> =>
      (await runtime.getDurableObjectStorage(ns.idFromName("pipelined"))).list<number>();
    expect([...(await stored(mf)).values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));

    await redis.stop("SIGKILL");
    const error = await stub.fetch("https://w/?from=50").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as DuraboxError).code).toBe("ERR_STORAGE");
    expect((error as Error).message).toContain(`Redis at redis://127.0.0.1:${redis.port}`);

    await redis.start();
    // Nothing of the failed request's writes reached Redis: every value is still the first request's.
    expect(await eventually(async () => [...(await stored(mf)).values()].every((value) => value < 50))).toBe(true);
    // The object was reset; a new request gets a new instance and works.
    expect(await eventually(async () => (await stub.fetch("https://w/?from=100")).text())).toBe("wrote");
    expect([...(await stored(mf)).values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    await mf.dispose();
  });

  it("two processes incrementing one counter through transactions end at the exact total", async () => {
    await Promise.all([
      run(process.execPath, [path.join(fixtures, "increment.mjs"), redis.url, "150"]),
      run(process.execPath, [path.join(fixtures, "increment.mjs"), redis.url, "150"]),
    ]);
    const mf = new Durabox(options(redis.url));
    expect(await (await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("c"))).get("n")).toBe(300);
    await mf.dispose();
  }, 60_000);

  it("persists alarms in Redis and schedules them again in the next runtime", async () => {
    const first = new Durabox({ ...options(redis.url), durableObjectsAlarms: false });
    const id = (await first.getDurableObjectNamespace("COUNTER")).idFromName("alarm");
    const at = Date.now() + 300;
    await (await first.getDurableObjectStorage(id)).setAlarm(at);
    await first.dispose();
    const second = new Durabox(options(redis.url));
    const storage = await second.getDurableObjectStorage(id);
    expect(await storage.getAlarm()).toBe(at);
    expect(
      await eventually(async () => (await storage.get<number>("alarmed")) ?? Promise.reject(new Error("not yet"))),
    ).toBeGreaterThanOrEqual(at);
    await second.dispose();
  });

  it("closes its connections on dispose", async () => {
    const clients = (): number =>
      execFileSync("redis-cli", ["-p", String(redis.port), "client", "list"], { encoding: "utf8" })
        .trim()
        .split("\n").length;
    const before = clients();
    const mf = new Durabox(options(redis.url));
    await (await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("x"))).get("k");
    expect(clients()).toBe(before + 1);
    await mf.dispose();
    expect(clients()).toBe(before);
  });
});

describe.skipIf(!requireRedisOrSkip())("Redis URLs", () => {
  let secured: RedisServer;
  beforeAll(async () => {
    secured = await startRedis({ password: "s3cret" });
  });
  afterAll(() => secured?.stop());

  it("uses the password and database in the URL", async () => {
    const url = `redis://:s3cret@127.0.0.1:${secured.port}/3`;
    const mf = new Durabox(options(url));
    await (await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("db3"))).put("k", 1);
    await mf.dispose();
    const keys = execFileSync(
      "redis-cli",
      ["-p", String(secured.port), "-a", "s3cret", "--no-auth-warning", "-n", "3", "--scan", "--pattern", "durabox:*"],
      { encoding: "utf8" },
    );
    expect(keys).toContain("durabox:");
  });

  it("names the URL, without the password, when it cannot connect", async () => {
    const mf = new Durabox(options(`redis://:wrong@127.0.0.1:${secured.port}`));
    // The runtime reads stored alarms as it starts: that is where it first needs Redis.
    const error = await mf.ready.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuraboxError);
    expect((error as Error).message).toContain(`redis://:***@127.0.0.1:${secured.port}`);
    expect((error as Error).message).not.toContain("wrong");
    await mf.dispose();
  });

  it("refuses a malformed URL when the runtime is created", () => {
    expect(() => new Durabox({ durableObjectsPersist: "redis://[bad" })).toThrow(/not a valid Redis URL/);
    expect(() => new Durabox({ durableObjectsPersist: "ftp://x" })).toThrow(/directory or a redis:\/\/ \/ rediss:\/\/ URL/);
  });
});
