// Which worker consumes each queue, as the broker needs it: the consumer settings of every
// worker, each delivering through `deliver` to that worker's queue() handler.
import type { MessageBatch } from "./batch.js";
import type { QueueConsumer } from "./broker.js";

/** A worker's consumers as the options normalise them (options/queue-consumers.ts). */
interface ConsumingWorker {
  readonly name: string;
  readonly queueConsumers: readonly (Omit<QueueConsumer, "deliver"> & { readonly queueName: string })[];
}

export function queueConsumers(
  workers: readonly ConsumingWorker[],
  deliver: (workerName: string, batch: MessageBatch) => Promise<void>,
): Map<string, QueueConsumer> {
  const consumers = new Map<string, QueueConsumer>();
  for (const worker of workers) {
    for (const { queueName, ...settings } of worker.queueConsumers) {
      consumers.set(queueName, { ...settings, deliver: (batch) => deliver(worker.name, batch) });
    }
  }
  return consumers;
}
