import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Durabox, type DuraboxOptions } from "../../../src/index.js";

// A consumer that records each batch it receives on globalThis (tests read it) and does what the message asks.
const script = `
  export default {
    async queue(batch, env, ctx) {
      (globalThis.batches ??= []).push({
        queue: batch.queue,
        messages: batch.messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts, timestamp: m.timestamp })),
      });
      for (const m of batch.messages) {
        const does = typeof m.body === "object" && m.body !== null ? m.body.does : undefined;
        if (does === "throw") throw new Error("the consumer failed");
        if (does === "retry") m.retry({ delaySeconds: 10 });
        if (does === "retryAll") batch.retryAll();
      }
    },
  };`;

interface Seen {
  queue: string;
  messages: { id: string; body: unknown; attempts: number; timestamp: Date }[];
}
const seen = (): Seen[] => ((globalThis as { batches?: Seen[] }).batches ??= []);

function runtime(extra: Partial<DuraboxOptions> = {}): Durabox {
  return new Durabox({ script, compatibilityDate: "2025-06-01", queueProducers: { JOBS: "jobs" }, queueConsumers: { jobs: {} }, ...extra });
}

interface Producer {
  send(body: unknown, options?: { contentType?: string; delaySeconds?: number }): Promise<unknown>;
  sendBatch(messages: unknown, options?: { delaySeconds?: number }): Promise<unknown>;
  metrics(): Promise<{ backlogCount: number; backlogBytes: number; oldestMessageTimestamp?: Date }>;
}
const producer = async (mf: Durabox, name = "JOBS") => (await mf.getBindings<Record<string, Producer>>())[name]!;

// What is due now, delivered: a timer set inside a fake tick runs at least 1 ms later (fake-timers' rule), so batches after the first need a few ms.
const settle = () => vi.advanceTimersByTimeAsync(10);

beforeEach(() => {
  delete (globalThis as { batches?: unknown }).batches;
  vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a queue's consumer", () => {
  it("receives a batch when max_batch_timeout (5 s by default) passes, on the fake clock", async () => {
    const mf = runtime();
    const jobs = await producer(mf);
    await jobs.send({ n: 1 });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(seen()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen()).toHaveLength(1);
    const [message] = seen()[0]!.messages;
    expect(seen()[0]!.queue).toBe("jobs");
    expect(message).toMatchObject({ body: { n: 1 }, attempts: 1 });
    expect(message!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(message!.timestamp.getTime()).toBe(new Date("2026-01-01T00:00:00Z").getTime());
    // Acknowledged (the handler returned): nothing is left.
    expect((await jobs.metrics()).backlogCount).toBe(0);
    await mf.dispose();
  });

  it("receives a full batch (max_batch_size) at once, and the rest when the timeout passes", async () => {
    const mf = runtime({ queueConsumers: { jobs: { maxBatchSize: 3 } } });
    const jobs = await producer(mf);
    await jobs.sendBatch([1, 2, 3, 4, 5, 6, 7].map((n) => ({ body: n })));
    await settle();
    expect(seen().map((batch) => batch.messages.map((m) => m.body))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen().map((batch) => batch.messages.map((m) => m.body))).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await mf.dispose();
  });

  it("gets a delayed message only after its delaySeconds (or the producer's delivery_delay)", async () => {
    const mf = runtime({
      queueProducers: { JOBS: "jobs", LATER: { queueName: "jobs", deliveryDelay: 120 } },
      queueConsumers: { jobs: { maxBatchTimeout: 0 } },
    });
    await (await producer(mf)).send("in a minute", { delaySeconds: 60 });
    await (await producer(mf, "LATER")).send("in two minutes");
    await (await producer(mf, "LATER")).send("now", { delaySeconds: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen().flatMap((batch) => batch.messages.map((m) => m.body))).toEqual(["now"]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(seen()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen().flatMap((batch) => batch.messages.map((m) => m.body))).toEqual(["now", "in a minute"]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen().flatMap((batch) => batch.messages.map((m) => m.body))).toEqual(["now", "in a minute", "in two minutes"]);
    await mf.dispose();
  });

  it("gets a retried message again after its retry delay, with attempts counted", async () => {
    const mf = runtime({ queueConsumers: { jobs: { maxBatchTimeout: 0, maxRetries: 1 } } });
    await (await producer(mf)).send({ does: "retry" });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(seen().map((batch) => batch.messages[0]!.attempts)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(2);
    expect(seen().map((batch) => batch.messages[0]!.attempts)).toEqual([1, 2]);
    // max_retries 1: after the second failed delivery, with no dead-letter queue, the message is dropped.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen()).toHaveLength(2);
    expect((await (await producer(mf)).metrics()).backlogCount).toBe(0);
    await mf.dispose();
  });

  it("retries the whole batch when the handler throws, then moves each message to the dead-letter queue after max_retries", async () => {
    const mf = runtime({
      queueConsumers: {
        jobs: { maxBatchTimeout: 0, maxRetries: 2, retryDelay: 30, deadLetterQueue: "jobs-dlq" },
        "jobs-dlq": { maxBatchTimeout: 0 },
      },
    });
    const jobs = await producer(mf);
    await jobs.sendBatch([{ body: { does: "throw" } }, { body: "fine, but in a failing batch" }]);
    await settle();
    await vi.advanceTimersByTimeAsync(30_000);
    await vi.advanceTimersByTimeAsync(30_000);
    await settle();
    const onJobs = seen().filter((batch) => batch.queue === "jobs");
    expect(onJobs.map((batch) => batch.messages.map((m) => m.attempts))).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    // The dead-letter queue gets the same messages (ids, timestamps, bodies), counting its own attempts (it throws
    // too, with no retry delay: four deliveries, then dropped, as it has no dead-letter queue of its own).
    const dead = seen().filter((batch) => batch.queue === "jobs-dlq");
    expect(dead.map((batch) => batch.messages.map((m) => m.attempts))).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(dead[0]!.messages.map((m) => [m.id, m.timestamp])).toEqual(onJobs[0]!.messages.map((m) => [m.id, m.timestamp]));
    expect((await jobs.metrics()).backlogCount).toBe(0);
    await mf.dispose();
  });

  it("retryAll() retries every message; the rest of a batch the handler returned from is acknowledged", async () => {
    const mf = runtime({ queueConsumers: { jobs: { maxBatchTimeout: 0, maxRetries: 5, retryDelay: 60 } } });
    const jobs = await producer(mf);
    await jobs.sendBatch([{ body: { does: "retry" } }, { body: "ok" }]);
    await vi.advanceTimersByTimeAsync(0);
    expect((await jobs.metrics()).backlogCount).toBe(1);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(seen().map((batch) => batch.messages.map((m) => m.body))).toEqual([[{ does: "retry" }, "ok"], [{ does: "retry" }]]);
    await jobs.send({ does: "retryAll" });
    await settle();
    // Both wait: the retried one its 10 s, the one retryAll() retried the consumer's retry_delay (60 s).
    expect((await jobs.metrics()).backlogCount).toBe(2);
    expect(
      seen()
        .at(-1)!
        .messages.map((m) => [m.body, m.attempts]),
    ).toEqual([[{ does: "retryAll" }, 1]]);
    await mf.dispose();
  });
});

describe("message bodies", () => {
  it("arrive as each content type sends them: json by default from 2024-03-18, text, bytes, v8", async () => {
    const mf = runtime({ queueConsumers: { jobs: { maxBatchTimeout: 0 } } });
    const jobs = await producer(mf);
    await jobs.send({ when: new Date(0) });
    await jobs.send("plain", { contentType: "text" });
    await jobs.send(new Uint16Array([1, 2]), { contentType: "bytes" });
    await jobs.send(new Map([["k", new Date(0)]]), { contentType: "V8" });
    await settle();
    const bodies = seen().flatMap((batch) => batch.messages.map((m) => m.body));
    expect(bodies[0]).toEqual({ when: "1970-01-01T00:00:00.000Z" });
    expect(bodies[1]).toBe("plain");
    // An ArrayBuffer, as workerd's deserialize() gives "bytes" (conformance/tests/queues.test.ts).
    expect(Object.prototype.toString.call(bodies[2])).toBe("[object ArrayBuffer]");
    expect([...new Uint8Array(bodies[2] as ArrayBuffer)]).toEqual([1, 0, 2, 0]);
    expect(bodies[3]).toEqual(new Map([["k", new Date(0)]]));
    await mf.dispose();
  });

  it("default to v8 before 2024-03-18 (a Date stays a Date)", async () => {
    const mf = runtime({ compatibilityDate: "2024-01-01", queueConsumers: { jobs: { maxBatchTimeout: 0 } } });
    await (await producer(mf)).send({ when: new Date(0) });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen()[0]!.messages[0]!.body).toEqual({ when: new Date(0) });
    await mf.dispose();
  });
});

describe("message bodies without a compatibility date", () => {
  it("default to json, the latest date's behaviour, as ctx.exports and RPC read a missing date", async () => {
    const mf = runtime({ compatibilityDate: undefined, queueConsumers: { jobs: { maxBatchTimeout: 0 } } });
    await (await producer(mf)).send({ when: new Date(0) });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen()[0]!.messages[0]!.body).toEqual({ when: "1970-01-01T00:00:00.000Z" });
    await mf.dispose();
  });
});

describe("file persistence", () => {
  it("keeps messages not yet delivered for the next runtime, which delivers them", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "durabox-queues-"));
    const first = runtime({ queuesPersist: directory, queueConsumers: {} });
    await (await producer(first)).send({ n: 1 }, { delaySeconds: 5 });
    await first.dispose();
    const second = runtime({ queuesPersist: directory, queueConsumers: { jobs: { maxBatchTimeout: 0 } } });
    await second.ready;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen().flatMap((batch) => batch.messages.map((m) => m.body))).toEqual([{ n: 1 }]);
    await second.dispose();
  });
});
