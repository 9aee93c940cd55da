// What a `queue(batch, env, ctx)` handler receives: a MessageBatch of Messages, and the
// acknowledgements and retries it records, with workerd's warnings when two calls contradict
// each other. cloudflare:test's createMessageBatch() makes the same objects.
import { checkDelaySeconds } from "./limits.js";

/** A message as a batch delivers it. */
export interface DeliveredMessage {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: unknown;
  /** Deliveries so far, this one included. */
  readonly attempts: number;
}

export interface MessageBatchMetrics {
  readonly backlogCount: number;
  readonly backlogBytes: number;
  readonly oldestMessageTimestamp?: Date;
}

/** The acknowledgement and retry state of a batch, as cloudflare:test's getQueueResult() reports it. */
export interface QueueResult {
  outcome: string;
  ackAll: boolean;
  retryBatch: { retry: boolean; delaySeconds?: number };
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

interface BatchState {
  ackAll: boolean;
  retryBatch: { retry: boolean; delaySeconds?: number };
  readonly acks: Set<string>;
  readonly retries: Map<string, number | undefined>;
}

const states = new WeakMap<object, BatchState>();

const warn = (text: string): void => console.warn(text);

/** Workers' `Message`. */
export class Message implements DeliveredMessage {
  readonly #state: BatchState;
  readonly id: string;
  readonly timestamp: Date;
  readonly body: unknown;
  readonly attempts: number;

  /** @internal */
  constructor(state: BatchState, message: DeliveredMessage) {
    this.#state = state;
    this.id = message.id;
    this.timestamp = message.timestamp;
    this.body = message.body;
    this.attempts = message.attempts;
  }

  ack(): void {
    const state = this.#state;
    if (state.ackAll) return;
    if (state.retryBatch.retry) {
      return warn(
        `Received a call to ack() on message ${this.id} after retryAll() was already called. Calling ack() on a message after calling retryAll() has no effect.`,
      );
    }
    if (state.retries.has(this.id)) {
      return warn(
        `Received a call to ack() on message ${this.id} after retry() was already called. Calling ack() on a message after calling retry() has no effect.`,
      );
    }
    state.acks.add(this.id);
  }

  retry(options?: { delaySeconds?: number }): void {
    const state = this.#state;
    const delaySeconds = checkDelaySeconds("retry", options?.delaySeconds);
    if (state.ackAll) {
      return warn(
        `Received a call to retry() on message ${this.id} after ackAll() was already called. Calling retry() on a message after calling ackAll() has no effect.`,
      );
    }
    if (state.acks.has(this.id)) {
      return warn(
        `Received a call to retry() on message ${this.id} after ack() was already called. Calling retry() on a message after calling ack() has no effect.`,
      );
    }
    state.retries.set(this.id, delaySeconds ?? state.retries.get(this.id));
  }
}

/** Workers' `MessageBatch`. */
export class MessageBatch {
  readonly #state: BatchState;
  readonly queue: string;
  readonly messages: readonly Message[];
  readonly metadata: { readonly metrics: MessageBatchMetrics };

  constructor(queue: string, messages: readonly DeliveredMessage[], metrics: MessageBatchMetrics = { backlogCount: 0, backlogBytes: 0 }) {
    const state: BatchState = { ackAll: false, retryBatch: { retry: false }, acks: new Set(), retries: new Map() };
    this.#state = state;
    states.set(this, state);
    this.queue = queue;
    this.messages = Object.freeze(messages.map((message) => new Message(state, message)));
    this.metadata = { metrics };
  }

  ackAll(): void {
    if (this.#state.retryBatch.retry) {
      return warn(
        "Received a call to ackAll() after retryAll() was already called. Calling ackAll() after calling retryAll() has no effect.",
      );
    }
    this.#state.ackAll = true;
  }

  retryAll(options?: { delaySeconds?: number }): void {
    const delaySeconds = checkDelaySeconds("retryAll", options?.delaySeconds);
    if (this.#state.ackAll) {
      return warn(
        "Received a call to retryAll() after ackAll() was already called. Calling retryAll() after calling ackAll() has no effect.",
      );
    }
    this.#state.retryBatch = { retry: true, ...(delaySeconds !== undefined && { delaySeconds }) };
  }
}

/** Whether `value` is a batch this module made (cloudflare:test's getQueueResult() accepts no other). */
export function isMessageBatch(value: unknown): value is MessageBatch {
  return typeof value === "object" && value !== null && states.has(value);
}

/** What the handler recorded on `batch`; `outcome` is "ok", or "exception" when the handler threw. */
export function queueResult(batch: MessageBatch, outcome = "ok"): QueueResult {
  const state = states.get(batch)!;
  return {
    outcome,
    ackAll: state.ackAll,
    retryBatch: { ...state.retryBatch },
    explicitAcks: [...state.acks],
    retryMessages: [...state.retries].map(([msgId, delaySeconds]) => ({ msgId, ...(delaySeconds !== undefined && { delaySeconds }) })),
  };
}
