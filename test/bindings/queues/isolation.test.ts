import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TestRuntime } from "../../../src/testing/test-runtime.js";
import type { DurableObjectNamespace } from "../../../src/index.js";

// An object that sends to a queue; the queue's consumer writes back to another object.
const script = `
  import { DurableObject } from "cloudflare:workers";
  export class Orders extends DurableObject {
    async place(item) {
      await this.ctx.storage.put("item", item);
      await this.env.JOBS.send({ item }, { delaySeconds: 30 });
    }
  }
  export class Ledger extends DurableObject {
    async record(entry) {
      const entries = (await this.ctx.storage.get("entries")) ?? [];
      entries.push(entry);
      await this.ctx.storage.put("entries", entries);
    }
    async entries() { return (await this.ctx.storage.get("entries")) ?? []; }
  }
  export default {
    async queue(batch, env) {
      for (const message of batch.messages) {
        await env.LEDGER.getByName("main").record({ ...message.body, attempts: message.attempts });
      }
    },
  };`;

const options = {
  script,
  compatibilityDate: "2025-06-01",
  durableObjects: { ORDERS: "Orders", LEDGER: "Ledger" },
  queueProducers: { JOBS: "orders" },
  queueConsumers: { orders: { maxBatchTimeout: 1 } },
};

interface Env {
  ORDERS: DurableObjectNamespace;
  LEDGER: DurableObjectNamespace;
}
const entries = (env: Env) => (env.LEDGER.getByName("main") as unknown as { entries(): Promise<unknown[]> }).entries();
const place = (env: Env, item: string) => (env.ORDERS.getByName("o") as unknown as { place(item: string): Promise<void> }).place(item);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("a Durable Object sending to a queue whose consumer writes to another object", () => {
  it("delivers after the delay and the batch timeout on the fake clock, and each test's messages and writes roll back", async () => {
    const runtime = new TestRuntime(options);
    const env = runtime.env as unknown as Env;

    runtime.enterScope(); // a test: its message is delivered within it
    await place(env, "first");
    await vi.advanceTimersByTimeAsync(30_999);
    expect(await entries(env)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await entries(env)).toEqual([{ item: "first", attempts: 1 }]);
    await runtime.exitScope();
    expect(await entries(env)).toEqual([]);

    runtime.enterScope(); // a test that ends with its message still delayed: it never arrives
    await place(env, "second");
    await vi.advanceTimersByTimeAsync(10_000);
    await runtime.exitScope();

    runtime.enterScope();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(await entries(env)).toEqual([]);
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("keeps what a describe block's beforeAll sent for the block's tests", async () => {
    const runtime = new TestRuntime(options);
    const env = runtime.env as unknown as Env;
    runtime.enterScope(); // the block
    await place(env, "from beforeAll");
    runtime.enterScope(); // its first test delivers it
    await vi.advanceTimersByTimeAsync(31_000);
    expect(await entries(env)).toEqual([{ item: "from beforeAll", attempts: 1 }]);
    await runtime.exitScope();
    runtime.enterScope(); // the next test starts from the block's state: the message is waiting again
    expect(await entries(env)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await entries(env)).toEqual([{ item: "from beforeAll", attempts: 1 }]);
    await runtime.exitScope();
    await runtime.exitScope();
    await runtime.dispose();
  });
});
