// Queues: a producer bound in wrangler.jsonc whose queue this same worker consumes. Messages
// sent from a test reach the worker's queue() handler, which writes what it saw to KV
// (src/queues.ts); createMessageBatch + getQueueResult report what a handler called directly
// did with a batch.
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import type { Seen } from "../src/queues";
import { rejection, unique } from "./helpers";

/** What the consumer recorded under a run, once `count` entries are there (real time: batches come a second apart). */
async function seen(run: string, count: number): Promise<Seen[]> {
  for (let waited = 0; waited < 15_000; waited += 100) {
    const { keys } = await env.KV.list({ prefix: `queue/${run}/` });
    if (keys.length >= count) {
      const values = await Promise.all(keys.map(async ({ name }) => JSON.parse((await env.KV.get(name))!) as Seen));
      return values.sort((a, b) => a.attempts - b.attempts || a.type.localeCompare(b.type));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the consumer recorded fewer than ${count} messages for ${run}`);
}

const message = (id: string, body: unknown, attempts = 1) => ({ id, timestamp: new Date(1_000), attempts, body });

async function resultOf(bodies: unknown[]) {
  const batch = createMessageBatch(
    "probe-queue",
    bodies.map((body, index) => message(`m${index}`, body)),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("queues: delivery to the worker's consumer", () => {
  it("delivers a sent message to queue() with its body, attempts 1, an id and a timestamp", async () => {
    const run = unique("send");
    await env.PROBE_QUEUE.send({ run });
    const [entry] = await seen(run, 1);
    expect(entry).toMatchObject({ type: "[object Object]", body: { run }, attempts: 1, queue: "probe-queue" });
    expect(entry!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(Number.isNaN(Date.parse(entry!.timestamp))).toBe(false);
  });

  it("delivers every message of a sendBatch", async () => {
    const run = unique("batch");
    await env.PROBE_QUEUE.sendBatch([{ body: { run } }, { body: { run } }, { body: { run } }]);
    const entries = await seen(run, 3);
    expect(entries.map((entry) => entry.attempts)).toEqual([1, 1, 1]);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(3);
  });

  it("redelivers a message the consumer retried, attempts 2", async () => {
    const run = unique("retry");
    await env.PROBE_QUEUE.send({ run, action: "retry-once" });
    const [entry] = await seen(run, 1);
    expect(entry!.attempts).toBe(2);
  });

  it("reads each content type back as its own kind of value", async () => {
    await env.PROBE_QUEUE.sendBatch([
      { body: "plain text", contentType: "text" },
      { body: new Uint8Array([1, 2, 3]), contentType: "bytes" },
      { body: { json: [1, "two"] }, contentType: "json" },
      { body: new Map([["v8", new Date("2026-01-02T03:04:05Z")]]), contentType: "v8" },
    ]);
    const entries = await seen("content", 4);
    expect(entries.map(({ type, body }) => ({ type, body }))).toEqual([
      { type: "[object ArrayBuffer]", body: [1, 2, 3] },
      { type: "[object Map]", body: [["v8", "2026-01-02T03:04:05.000Z"]] },
      { type: "[object Object]", body: { json: [1, "two"] } },
      { type: "[object String]", body: "plain text" },
    ]);
  });

  it("refuses a body that is not of its content type, and an unknown content type", async () => {
    const text = await rejection(env.PROBE_QUEUE.send(1, { contentType: "text" }));
    expect(text).toBeInstanceOf(TypeError);
    expect(text!.message).toBe('Content Type "text" requires a value of type string, but received: number');
    const unknown = await rejection(env.PROBE_QUEUE.send("x", { contentType: "xml" as QueueContentType }));
    expect(unknown).toBeInstanceOf(TypeError);
    expect(unknown!.message).toBe("Unsupported queue message content type: xml");
  });
});

describe("queues: getQueueResult on a batch from createMessageBatch", () => {
  it("reports explicit acks and retries, message by message", async () => {
    const run = unique("result");
    expect(await resultOf([{ run, action: "ack" }, { run, action: "retry" }, { run }])).toEqual({
      outcome: "ok",
      ackAll: false,
      retryBatch: { retry: false },
      explicitAcks: ["m0"],
      retryMessages: [{ msgId: "m1" }],
    });
    // The handler recorded the third message, called directly with the batch.
    expect((await seen(run, 1))[0]).toMatchObject({
      id: "m2",
      attempts: 1,
      queue: "probe-queue",
      timestamp: new Date(1_000).toISOString(),
    });
  });

  it("reports retry({ delaySeconds }) without the delay (local workerd leaves it out)", async () => {
    const result = await resultOf([{ run: unique("delay"), action: "retry-delayed" }]);
    expect(result.retryMessages).toEqual([{ msgId: "m0" }]);
  });

  it("reports ackAll", async () => {
    expect(await resultOf([{ batch: "ackAll" }, { run: "unused" }])).toEqual({
      outcome: "ok",
      ackAll: true,
      retryBatch: { retry: false },
      explicitAcks: [],
      retryMessages: [],
    });
  });

  it("reports retryAll, and retryAll({ delaySeconds }) without the delay (local workerd leaves it out)", async () => {
    expect((await resultOf([{ batch: "retryAll" }])).retryBatch).toEqual({ retry: true });
    expect((await resultOf([{ batch: "retryAll-delayed" }])).retryBatch).toEqual({ retry: true });
  });
});
