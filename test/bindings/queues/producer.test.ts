import { afterAll, describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";

interface Producer {
  send(
    body: unknown,
    options?: Record<string, unknown>,
  ): Promise<{ metadata: { metrics: { backlogCount: number; backlogBytes: number } } }>;
  sendBatch(messages: unknown, options?: Record<string, unknown>): Promise<unknown>;
}

// A producer whose queue nobody consumes: what is sent stays in the backlog.
const mf = new Durabox({
  script: "export default { fetch() { return new Response('ok'); } }",
  compatibilityDate: "2025-06-01",
  queueProducers: ["JOBS"],
});
const jobs = async () => (await mf.getBindings<{ JOBS: Producer }>()).JOBS;
const reason = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error,
  );

afterAll(() => mf.dispose());

describe("send() and sendBatch() at production's limits", () => {
  it("accept a message of 128 KB (128,000 bytes) and refuse one byte more, naming the limit", async () => {
    const queue = await jobs();
    await queue.send("x".repeat(128_000), { contentType: "text" });
    const error = await reason(queue.send("x".repeat(128_001), { contentType: "text" }));
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe("Queue send failed: message length of 128001 bytes exceeds limit of 128000 bytes (128 KB).");
  });

  it("refuse a batch of more than 100 messages, or of more than 256 KB, or with one message over 128 KB", async () => {
    const queue = await jobs();
    await queue.sendBatch(Array.from({ length: 100 }, (_, i) => ({ body: i })));
    expect((await reason(queue.sendBatch(Array.from({ length: 101 }, (_, i) => ({ body: i })))))!.message).toBe(
      "Queue sendBatch failed: batch message count of 101 exceeds limit of 100 messages.",
    );
    const big = { body: "x".repeat(100_000), contentType: "text" };
    expect((await reason(queue.sendBatch([big, big, big])))!.message).toBe(
      "Queue sendBatch failed: batch size of 300000 bytes exceeds limit of 256000 bytes (256 KB).",
    );
    expect((await reason(queue.sendBatch([{ body: "x".repeat(128_001), contentType: "text" }])))!.message).toBe(
      "Queue sendBatch failed: message in batch has length 128001 bytes which exceeds single message size limit of 128000 bytes (128 KB).",
    );
  });

  it("refuse a negative delay, a fractional one and one over 24 hours", async () => {
    const queue = await jobs();
    await queue.send(1, { delaySeconds: 86_400 });
    for (const delaySeconds of [-1, 1.5, 86_401]) {
      expect((await reason(queue.send(1, { delaySeconds })))!.message).toBe(
        `Queue send failed: delaySeconds ${delaySeconds} is invalid: it must be a whole number of seconds from 0 to 86400 (24 hours).`,
      );
    }
    expect((await reason(queue.sendBatch([{ body: 1 }], { delaySeconds: -5 })))!.message).toMatch(
      /^Queue sendBatch failed: delaySeconds -5 is invalid/,
    );
    expect((await reason(queue.sendBatch([{ body: 1, delaySeconds: 90_000 }])))!.message).toMatch(
      /^Queue sendBatch failed: delaySeconds 90000/,
    );
  });

  it("throw workerd's TypeErrors for a bad content type, a body the type cannot carry, no body, an empty batch", async () => {
    const queue = await jobs();
    const cases: [Promise<unknown>, string][] = [
      [queue.send("x", { contentType: "xml" }), "Unsupported queue message content type: xml"],
      [queue.send(1, { contentType: "text" }), 'Content Type "text" requires a value of type string, but received: number'],
      [queue.send("x", { contentType: "bytes" }), 'Content Type "bytes" requires a value of type ArrayBufferView, but received: string'],
      [queue.send(undefined), "Message body cannot be undefined"],
      [queue.sendBatch([]), "sendBatch() requires at least one message"],
      [queue.sendBatch([{ body: "x", contentType: "yaml" }]), "Unsupported queue message content type: yaml"],
    ];
    for (const [promise, message] of cases) {
      const error = await reason(promise);
      expect(error).toBeInstanceOf(TypeError);
      expect(error!.message).toBe(message);
    }
    expect(await reason(queue.send(() => 1, { contentType: "v8" }))).toMatchObject({ name: "DataCloneError" });
  });

  it("resolve to the queue's metrics: what is waiting, and its bytes", async () => {
    const queue = await jobs();
    const before = (await queue.send("ab", { contentType: "text" })).metadata.metrics;
    const after = (await queue.send("abc", { contentType: "text" })).metadata.metrics;
    expect(after.backlogCount).toBe(before.backlogCount + 1);
    expect(after.backlogBytes).toBe(before.backlogBytes + 3);
  });
});
