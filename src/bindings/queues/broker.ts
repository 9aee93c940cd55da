// Every queue of a runtime: messages kept in a storage backend (one store per queue, under the
// per-test layers), delivered to each queue's consumer in batches by `max_batch_size` and
// `max_batch_timeout`, retried up to `max_retries` and then moved to the dead-letter queue or
// dropped. Delays, batch timeouts and retry delays run on the realm's clock, so a test's fake
// timers drive them; what is scheduled is always derived from what is stored, so a popped layer
// (a test's end) takes its messages and their deliveries with it.
import { nodeCrypto } from "../../base/node-crypto.js";
import { andThen, attempt, type Awaitable } from "../../base/awaitable.js";
import type { IsolatedState } from "../../base/isolated-state.js";
import { realmClock, type Clock, type ClockListener, type ClockTimer } from "../../base/realm-clock.js";
import type { StorageBackend, StoredEntry } from "../../storage/backend.js";
import { BindingData } from "../binding-data.js";
import { MessageBatch, queueResult, type MessageBatchMetrics, type QueueResult } from "./batch.js";
import { decodeBody, type QueueContentType } from "./body.js";
import { decodeMessage, encodeMessage, type StoredMessage } from "./records.js";

/** How a queue is consumed, and by what. */
export interface QueueConsumer {
  readonly maxBatchSize: number;
  /** Seconds. */
  readonly maxBatchTimeout: number;
  readonly maxRetries: number;
  readonly deadLetterQueue: string | undefined;
  /** Seconds. */
  readonly retryDelay: number;
  /** Runs the consumer worker's `queue()` handler on `batch`; rejects when it threw. */
  deliver(batch: MessageBatch): Promise<void>;
}

/** A message a producer sends. */
export interface OutgoingMessage {
  readonly contentType: QueueContentType;
  readonly body: Uint8Array;
  /** Seconds before it may be delivered. */
  readonly delaySeconds: number;
}

/** What a delivered batch's handler did, as the broker applies it (tests observe it through `onDelivered`). */
export interface Delivery {
  readonly queue: string;
  readonly messages: readonly string[];
  readonly result: QueueResult;
}

interface Listed {
  readonly key: string;
  readonly message: StoredMessage;
}

export class QueueBroker implements IsolatedState, ClockListener {
  readonly #data: BindingData;
  readonly #consumers: ReadonlyMap<string, QueueConsumer>;
  readonly #clock: Clock;
  readonly #unwatch: () => void;
  readonly #timers = new Map<string, ClockTimer>();
  /** Per queue: the latest arming, so an older one still listing gives way. */
  readonly #arming = new Map<string, number>();
  /** Queues with a batch at their consumer now (one at a time per queue). */
  readonly #delivering = new Set<string>();
  /** Bumped when a layer is pushed or popped: a batch delivered across it is not applied (the layers decide what is stored). */
  #generation = 0;
  #disposed = false;
  /** Called after each delivery is applied. */
  onDelivered: ((delivery: Delivery) => void) | undefined;

  constructor(backend: StorageBackend, consumers: ReadonlyMap<string, QueueConsumer>, clock: Clock = realmClock()) {
    this.#data = new BindingData("queue", backend);
    this.#consumers = consumers;
    this.#clock = clock;
    this.#unwatch = consumers.size > 0 ? clock.onChange(this) : () => {};
    // Messages an earlier run left (file or Redis persistence) are delivered again.
    this.#armAll();
  }

  /** Stores messages on `queue`; resolves to the queue's metrics after. */
  async send(queue: string, messages: readonly OutgoingMessage[]): Promise<MessageBatchMetrics> {
    const now = this.#clock.now();
    const puts: StoredEntry[] = messages.map(({ contentType, body, delaySeconds }) =>
      encodeMessage({
        id: nodeCrypto().randomBytes(16).toString("hex"),
        timestamp: now,
        contentType,
        body,
        failures: 0,
        visibleAt: now + delaySeconds * 1000,
      }),
    );
    await this.#data.store(queue).commit({ puts });
    this.#arm(queue);
    return this.metrics(queue);
  }

  /** The backlog of `queue`: messages stored (delayed ones too), their bytes, the oldest one's time. */
  async metrics(queue: string): Promise<MessageBatchMetrics> {
    return metricsOf((await this.#list(queue)).map(({ message }) => message));
  }

  pushLayer(): void {
    this.#generation++;
    this.#data.pushLayer();
  }

  popLayer(): void {
    this.#generation++;
    this.#data.popLayer();
    this.#armAll();
  }

  async deleteAll(): Promise<void> {
    await this.#data.deleteAll();
    this.#armAll();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#unwatch();
    for (const timer of this.#timers.values()) timer.cancel();
    this.#timers.clear();
    await this.#data.dispose();
  }

  /** Fake timers installed or removed, or the fake time set: every queue's next delivery is armed again on the clock now in force. */
  clockChanged(): void {
    this.#armAll();
  }

  #armAll(): void {
    for (const queue of this.#consumers.keys()) this.#arm(queue);
  }

  /** The queue's messages in delivery order; synchronous on a synchronous backend (memory), so arming costs no microtask hop. */
  #list(queue: string): Awaitable<Listed[]> {
    return andThen(this.#data.store(queue).list({}), (entries) => entries.map(([key, value]) => ({ key, message: decodeMessage(value) })));
  }

  /** Sets the timer for the queue's next delivery: now with a full batch, else when the oldest visible message's batch times out or the next delayed one becomes visible. */
  #arm(queue: string): void {
    const consumer = this.#consumers.get(queue);
    if (consumer === undefined || this.#disposed || this.#delivering.has(queue)) return;
    const token = (this.#arming.get(queue) ?? 0) + 1;
    this.#arming.set(queue, token);
    this.#timers.get(queue)?.cancel();
    this.#timers.delete(queue);
    const armed = attempt(() =>
      andThen(this.#list(queue), (listed) => {
        if (this.#arming.get(queue) !== token || this.#disposed || this.#delivering.has(queue) || listed.length === 0) return;
        const now = this.#clock.now();
        const at = nextDelivery(listed, consumer, now);
        const timer: ClockTimer = this.#clock.setTimer(() => {
          // Superseded (a timer another library's clear could not cancel): the newer one delivers.
          if (this.#timers.get(queue) !== timer) return;
          this.#timers.delete(queue);
          // A fake timer that fires is the test's word that the time has come, even with a real Date.
          this.#flush(queue, Math.max(at, this.#clock.now()));
        }, at - now);
        this.#timers.set(queue, timer);
      }),
    );
    // The backend failed: the next send or layer change arms the queue again.
    armed.catch(() => {});
  }

  /** Delivers the queue's next batch if it is due at `now`, then arms the next one. Claims the queue at once: one batch at a time. */
  #flush(queue: string, now: number): void {
    if (this.#disposed || this.#delivering.has(queue)) return;
    this.#delivering.add(queue);
    const done = (): void => {
      this.#delivering.delete(queue);
      this.#arm(queue);
    };
    attempt(() => andThen(this.#list(queue), (listed) => this.#deliverDue(queue, listed, now))).then(done, done);
  }

  #deliverDue(queue: string, listed: readonly Listed[], now: number): Awaitable<void> {
    const consumer = this.#consumers.get(queue)!;
    const visible = listed.filter(({ message }) => message.visibleAt <= now);
    if (this.#disposed || visible.length === 0) return;
    if (visible.length < consumer.maxBatchSize && visible[0]!.message.visibleAt + consumer.maxBatchTimeout * 1000 > now) return;
    const taken = visible.slice(0, consumer.maxBatchSize);
    const rest = listed.filter((entry) => !taken.includes(entry));
    const batch = new MessageBatch(
      queue,
      taken.map(({ message }) => ({
        id: message.id,
        timestamp: new Date(message.timestamp),
        body: decodeBody(message.body, message.contentType),
        attempts: message.failures + 1,
      })),
      metricsOf(rest.map(({ message }) => message)),
    );
    const generation = this.#generation;
    return attempt(() => consumer.deliver(batch)).then(
      () => this.#finish(queue, consumer, taken, queueResult(batch), generation),
      () => this.#finish(queue, consumer, taken, { ...queueResult(batch), outcome: "exception" }, generation),
    );
  }

  #finish(queue: string, consumer: QueueConsumer, taken: readonly Listed[], result: QueueResult, generation: number): Awaitable<void> {
    // A layer pushed or popped meanwhile: what is stored is the layers' to say (the messages are delivered again if still there).
    if (generation !== this.#generation || this.#disposed) return;
    return andThen(this.#apply(queue, consumer, taken, result), () => {
      this.onDelivered?.({ queue, messages: taken.map(({ message }) => message.id), result });
    });
  }

  /** Acknowledged messages are deleted; retried ones (all when the handler threw or called retryAll()) wait their delay, or after their last retry go to the dead-letter queue or are dropped. */
  #apply(queue: string, consumer: QueueConsumer, taken: readonly Listed[], result: QueueResult): Awaitable<void> {
    const retryAll = result.outcome !== "ok" || result.retryBatch.retry;
    const retried = new Map(result.retryMessages.map(({ msgId, delaySeconds }) => [msgId, delaySeconds]));
    const batchDelay = result.retryBatch.delaySeconds ?? consumer.retryDelay;
    const now = this.#clock.now();
    const puts: StoredEntry[] = [];
    const dead: StoredEntry[] = [];
    for (const { message } of taken) {
      if (!retryAll && !retried.has(message.id)) continue;
      const failures = message.failures + 1;
      if (failures <= consumer.maxRetries) {
        const delay = retried.get(message.id) ?? batchDelay;
        puts.push(encodeMessage({ ...message, failures, visibleAt: now + delay * 1000 }));
      } else if (consumer.deadLetterQueue !== undefined) {
        dead.push(encodeMessage({ ...message, failures: 0, visibleAt: now }));
      }
    }
    return andThen(this.#data.store(queue).commit({ deletes: taken.map(({ key }) => key), puts }), () => {
      if (dead.length === 0) return;
      const deadLetterQueue = consumer.deadLetterQueue!;
      return andThen(this.#data.store(deadLetterQueue).commit({ puts: dead }), () => this.#arm(deadLetterQueue));
    });
  }
}

/** When the queue's next batch is due (ms since the epoch). */
function nextDelivery(listed: readonly Listed[], consumer: QueueConsumer, now: number): number {
  const visible = listed.filter(({ message }) => message.visibleAt <= now);
  if (visible.length >= consumer.maxBatchSize) return now;
  const times: number[] = [];
  if (visible.length > 0) times.push(visible[0]!.message.visibleAt + consumer.maxBatchTimeout * 1000);
  const delayed = listed.find(({ message }) => message.visibleAt > now);
  if (delayed !== undefined) times.push(delayed.message.visibleAt);
  return Math.min(...times);
}

function metricsOf(messages: readonly StoredMessage[]): MessageBatchMetrics {
  if (messages.length === 0) return { backlogCount: 0, backlogBytes: 0 };
  return {
    backlogCount: messages.length,
    backlogBytes: messages.reduce((total, message) => total + message.body.byteLength, 0),
    oldestMessageTimestamp: new Date(Math.min(...messages.map((message) => message.timestamp))),
  };
}
