import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../../helpers/redis.js";
import { TestRuntime } from "../../../src/testing/test-runtime.js";
import { Durabox, type DurableObjectNamespace } from "../../../src/index.js";

// An object that starts a workflow; the workflow sleeps, retries a flaky step, and writes back to the object.
const script = `
  import { DurableObject, WorkflowEntrypoint } from "cloudflare:workers";
  export class Orders extends DurableObject {
    async place(id) {
      await this.ctx.storage.put("placed", id);
      const instance = await this.env.FULFIL.create({ id, params: { order: id } });
      return instance.id;
    }
    async shipped(order) { await this.ctx.storage.put("shipped", order); }
    async state() { return { placed: await this.ctx.storage.get("placed"), shipped: await this.ctx.storage.get("shipped") }; }
  }
  export class Fulfil extends WorkflowEntrypoint {
    async run(event, step) {
      const packed = await step.do("pack", async () => { (globalThis.packs ??= []).push(event.payload.order); return "packed"; });
      await step.sleep("wait for courier", "1 hour");
      await step.do("ship", { retries: { limit: 2, delay: "1 minute", backoff: "constant" } }, async (ctx) => {
        if (ctx.attempt < 2) throw new Error("courier busy");
        await this.env.ORDERS.getByName("shop").shipped(event.payload.order);
      });
      return packed;
    }
  }
  export default { fetch: () => new Response("ok") };`;

const options = {
  script,
  compatibilityDate: "2026-11-01",
  durableObjects: { ORDERS: "Orders" },
  workflows: { FULFIL: { name: "fulfil", className: "Fulfil" } },
};

interface Env {
  ORDERS: DurableObjectNamespace;
  FULFIL: { get(id: string): Promise<{ status(): Promise<{ status: string; output?: unknown }> }> };
}
type Shop = { place(id: string): Promise<string>; state(): Promise<{ placed?: string; shipped?: string }> };
const shop = (env: Env) => env.ORDERS.getByName("shop") as unknown as Shop;
const packs = (): string[] => ((globalThis as { packs?: string[] }).packs ??= []);
const HOUR = 3_600_000;
// Captured before any test fakes timers: Redis answers on real I/O, which fake time does not wait for.
const realSetTimeout = globalThis.setTimeout;
/** Fake time moved by `ms`, with real pauses around it for a backend that answers asynchronously (Redis). */
async function advance(ms: number): Promise<void> {
  for (const step of [0, ms, 0]) {
    await vi.advanceTimersByTimeAsync(step);
    await new Promise((resolve) => realSetTimeout(resolve, 100));
  }
}

beforeEach(() => {
  delete (globalThis as { packs?: unknown }).packs;
  vi.useFakeTimers({ now: new Date("2026-03-01T00:00:00Z") });
});
afterEach(() => vi.useRealTimers());

describe("a workflow started from a Durable Object", () => {
  it("sleeps and retries on the fake clock, writes back, and each test's instances roll back", async () => {
    const runtime = new TestRuntime(options);
    const env = runtime.env as unknown as Env;

    runtime.enterScope(); // a test that runs it to the end
    expect(await shop(env).place("o-1")).toBe("o-1");
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(await shop(env).state()).toEqual({ placed: "o-1", shipped: undefined });
    expect((await (await env.FULFIL.get("o-1")).status()).status).toBe("waiting");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await shop(env).state()).toEqual({ placed: "o-1", shipped: "o-1" });
    expect(await (await env.FULFIL.get("o-1")).status()).toEqual({ status: "complete", output: "packed" });
    await runtime.exitScope();

    runtime.enterScope(); // the next test: no instance, no data, and the id is free again
    await expect(env.FULFIL.get("o-1")).rejects.toThrow("instance.not_found");
    expect(await shop(env).state()).toEqual({ placed: undefined, shipped: undefined });
    expect(await shop(env).place("o-1")).toBe("o-1");
    // Its first step (the pack) runs before it sleeps: a step is not done by the time create() answers.
    await vi.waitFor(async () => expect((await (await env.FULFIL.get("o-1")).status()).status).toBe("waiting"));
    await runtime.exitScope();

    runtime.enterScope(); // the instance the last test left sleeping never wakes
    await vi.advanceTimersByTimeAsync(10 * HOUR);
    await expect(env.FULFIL.get("o-1")).rejects.toThrow("instance.not_found");
    expect(packs()).toEqual(["o-1", "o-1"]);
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("keeps an instance a describe block's beforeAll created, running on from the block's state in each test", async () => {
    const runtime = new TestRuntime(options);
    const env = runtime.env as unknown as Env;
    runtime.enterScope(); // the block
    await shop(env).place("o-2");
    await vi.advanceTimersByTimeAsync(0);
    expect(packs()).toEqual(["o-2"]);
    for (let test = 0; test < 2; test++) {
      runtime.enterScope();
      await vi.advanceTimersByTimeAsync(HOUR + 60_000);
      expect(await (await env.FULFIL.get("o-2")).status()).toEqual({ status: "complete", output: "packed" });
      await runtime.exitScope();
      // Back to the block's state: sleeping, with "pack" cached (it is not run again).
      await vi.advanceTimersByTimeAsync(0);
      expect((await (await env.FULFIL.get("o-2")).status()).status).toBe("waiting");
    }
    expect(packs()).toEqual(["o-2"]);
    await runtime.exitScope();
    await runtime.dispose();
  });
});

/** A sleeping instance survives the runtime: the next one runs it on without repeating its steps. */
async function survivesRestart(persist: { workflowsPersist: string; durableObjectsPersist: string }): Promise<void> {
  const persisted = { ...options, ...persist };
  const first = new Durabox(persisted);
  const env = (await first.getBindings()) as unknown as Env;
  await shop(env).place("o-3");
  await advance(1_000);
  expect(packs()).toEqual(["o-3"]);
  await first.dispose();

  const second = new Durabox(persisted);
  const again = (await second.getBindings()) as unknown as Env;
  await second.ready;
  await advance(HOUR);
  await advance(60_000);
  expect(await (await again.FULFIL.get("o-3")).status()).toEqual({ status: "complete", output: "packed" });
  expect(packs()).toEqual(["o-3"]);
  expect(await shop(again).state()).toEqual({ placed: "o-3", shipped: "o-3" });
  await second.dispose();
}

describe("workflowsPersist", () => {
  it("keeps instances and their cached steps in a directory: a new runtime runs a sleeping instance on without repeating its steps", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-workflows-"));
    await survivesRestart({ workflowsPersist: dir, durableObjectsPersist: dir });
  });
});

describe.skipIf(!requireRedisOrSkip())("workflowsPersist in Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    vi.useRealTimers();
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it("keeps instances and their cached steps in Redis, as in a directory", async () => {
    await survivesRestart({ workflowsPersist: `${redis.url}/4`, durableObjectsPersist: `${redis.url}/5` });
  });
});
