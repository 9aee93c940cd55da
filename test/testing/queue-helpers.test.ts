import { afterEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, createMessageBatch, getQueueResult } from "../../src/cloudflare-test.js";

// A consumer as a worker exports it, called directly as the plugin's docs show.
const worker = {
  async queue(batch: ReturnType<typeof createMessageBatch>, _env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) {
    for (const message of batch.messages) {
      if (message.body === "ack") message.ack();
      if (message.body === "retry") message.retry({ delaySeconds: 30 });
      if (message.body === "later") ctx.waitUntil(Promise.resolve().then(() => message.ack()));
    }
  },
};

afterEach(() => vi.restoreAllMocks());

describe("createMessageBatch() and getQueueResult()", () => {
  it("report explicit acks, retries (with their delay), and the batch-level calls, after waitUntil work settles", async () => {
    const batch = createMessageBatch("jobs", [
      { id: "a", timestamp: new Date(1000), attempts: 1, body: "ack" },
      { id: "b", timestamp: 2000, attempts: 2, body: "retry" },
      { id: "c", timestamp: 3000, attempts: 1, body: "later" },
      { id: "d", timestamp: 4000, attempts: 1, body: "nothing" },
    ]);
    expect(batch.queue).toBe("jobs");
    expect(batch.messages.map((m) => [m.id, m.timestamp.getTime(), m.attempts])).toEqual([
      ["a", 1000, 1],
      ["b", 2000, 2],
      ["c", 3000, 1],
      ["d", 4000, 1],
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, {}, ctx);
    expect(await getQueueResult(batch, ctx)).toEqual({
      outcome: "ok",
      ackAll: false,
      retryBatch: { retry: false },
      explicitAcks: ["a", "c"],
      retryMessages: [{ msgId: "b", delaySeconds: 30 }],
    });
  });

  it("record ackAll() and retryAll({ delaySeconds }), and warn as workerd does when a call contradicts an earlier one", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const batch = createMessageBatch("jobs", [{ id: "a", timestamp: 0, attempts: 1, body: 1 }]);
    batch.retryAll({ delaySeconds: 5 });
    batch.ackAll();
    batch.messages[0]!.ack();
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result).toMatchObject({ ackAll: false, retryBatch: { retry: true, delaySeconds: 5 }, explicitAcks: [] });
    expect(warn.mock.calls.map(([text]) => text)).toEqual([
      "Received a call to ackAll() after retryAll() was already called. Calling ackAll() after calling retryAll() has no effect.",
      "Received a call to ack() on message a after retryAll() was already called. Calling ack() on a message after calling retryAll() has no effect.",
    ]);
  });

  it("copy bodies and refuse what the plugin refuses", async () => {
    const body = { n: 1 };
    const batch = createMessageBatch("jobs", [{ id: "a", timestamp: 0, attempts: 1, body }]);
    body.n = 2;
    expect(batch.messages[0]!.body).toEqual({ n: 1 });
    expect(() => createMessageBatch("jobs", [{ id: "a", timestamp: "now" as never, attempts: 1, body }])).toThrow(
      "Incorrect type for the 'timestamp' field on 'ServiceBindingQueueMessage': the provided value is not of type 'date'.",
    );
    expect(() => createMessageBatch("jobs", [{ id: "a", timestamp: 0, attempts: "1" as never, body }])).toThrow(
      "Incorrect type for the 'attempts' field on 'ServiceBindingQueueMessage': the provided value is not of type 'number'.",
    );
    expect(() => createMessageBatch("jobs", {} as never)).toThrow(
      "Failed to execute 'createMessageBatch': parameter 2 is not of type 'Array'.",
    );
    await expect(getQueueResult({} as never, createExecutionContext())).rejects.toThrow(/parameter 1 is not of type 'MessageBatch'/);
    await expect(getQueueResult(batch, { waitUntil() {} } as never)).rejects.toThrow(/parameter 2 is not of type 'ExecutionContext'/);
    expect(() => batch.messages[0]!.retry({ delaySeconds: -1 })).toThrow(RangeError);
  });
});
