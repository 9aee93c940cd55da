// The queue consumer the Queues probes send to (tests/queues.test.ts). Each message's body says
// what to do with it; a message that is recorded is written to KV under its run's key, with
// what the consumer saw of it, for the test to read back.

/** A body the probes send: a run (the KV prefix) and what the consumer does with it. */
export type ProbeMessage = { run: string; action?: "record" | "retry-once" | "ack" | "retry" | "retry-delayed" };

/** A batch-wide action, taken by the first message's body. */
export type ProbeBatchAction = { batch: "ackAll" | "retryAll" | "retryAll-delayed" };

/** What the consumer saw of a message: the body's type tag and a JSON-safe rendering of it. */
export type Seen = { type: string; body: unknown; attempts: number; id: string; timestamp: string; queue: string };

/** By type tag, not instanceof: a runtime may hand the body over from another realm. */
function render(body: unknown): unknown {
  switch (Object.prototype.toString.call(body)) {
    case "[object Uint8Array]":
      return [...(body as Uint8Array)];
    case "[object ArrayBuffer]":
      return [...new Uint8Array(body as ArrayBuffer)];
    case "[object Map]":
      return [...(body as Map<unknown, unknown>).entries()].map(([key, value]) => [key, render(value)]);
    case "[object Date]":
      return (body as Date).toISOString();
    default:
      return body;
  }
}

function isProbe(body: unknown): body is ProbeMessage {
  return typeof body === "object" && body !== null && typeof (body as ProbeMessage).run === "string";
}

async function record(kv: KVNamespace, run: string, message: Message, queue: string): Promise<void> {
  const seen: Seen = {
    type: Object.prototype.toString.call(message.body),
    body: render(message.body),
    attempts: message.attempts,
    id: message.id,
    timestamp: message.timestamp.toISOString(),
    queue,
  };
  await kv.put(`queue/${run}/${message.id}/${message.attempts}`, JSON.stringify(seen));
}

/** The worker's queue() handler. A body that is not a probe object is recorded under the run its `contentRun` tag names. */
export async function consume(batch: MessageBatch, kv: KVNamespace): Promise<void> {
  const first = batch.messages[0]?.body as ProbeBatchAction | undefined;
  if (first && typeof first === "object" && "batch" in first) {
    if (first.batch === "ackAll") batch.ackAll();
    else if (first.batch === "retryAll") batch.retryAll();
    else batch.retryAll({ delaySeconds: 7 });
    return;
  }
  for (const message of batch.messages) {
    const body = message.body;
    if (!isProbe(body)) {
      // Content-type probes: the run is the queue message's own content, recorded under "content".
      await record(kv, "content", message, batch.queue);
      message.ack();
      continue;
    }
    switch (body.action ?? "record") {
      case "ack":
        message.ack();
        break;
      case "retry":
        message.retry();
        break;
      case "retry-delayed":
        message.retry({ delaySeconds: 5 });
        break;
      case "retry-once":
        if (message.attempts === 1) message.retry();
        else await record(kv, body.run, message, batch.queue);
        break;
      default:
        await record(kv, body.run, message, batch.queue);
    }
  }
}
