// `env.QUEUE`: a queue producer binding (workers-types' `Queue<Body>`): send(), sendBatch(),
// metrics(), with workerd's argument errors and production's limits.
import type { MessageBatchMetrics } from "./batch.js";
import { outputGateWait } from "../../base/output-gate-wait.js";
import { contentTypeOf, encodeBody, type QueueContentType } from "./body.js";
import type { OutgoingMessage, QueueBroker } from "./broker.js";
import { checkBatch, checkDelaySeconds, checkMessageSize } from "./limits.js";

export interface QueueSendOptions {
  contentType?: QueueContentType;
  delaySeconds?: number;
}

export interface MessageSendRequest<Body = unknown> {
  body: Body;
  contentType?: QueueContentType;
  delaySeconds?: number;
}

/** What send() and sendBatch() resolve to. */
export interface QueueSendResponse {
  readonly metadata: { readonly metrics: MessageBatchMetrics };
}

/** How a producer binding sends: its queue, the producer's `delivery_delay`, and the default content type (json from compatibility date 2024-03-18, else v8). */
export interface ProducerSettings {
  readonly queueName: string;
  readonly deliveryDelay: number | undefined;
  readonly defaultContentType: QueueContentType;
}

export class Queue<Body = unknown> {
  readonly #broker: QueueBroker;
  readonly #settings: ProducerSettings;

  /** @internal */
  constructor(broker: QueueBroker, settings: ProducerSettings) {
    this.#broker = broker;
    this.#settings = settings;
  }

  async send(body: Body, options?: QueueSendOptions): Promise<QueueSendResponse> {
    const message = this.#message(body, options?.contentType, checkDelaySeconds("send", options?.delaySeconds));
    checkMessageSize("send", message.body.byteLength);
    // Inside a Durable Object, sent once the object's earlier writes are confirmed (its output gate).
    await outputGateWait("Queue send()");
    return { metadata: { metrics: await this.#broker.send(this.#settings.queueName, [message]) } };
  }

  async sendBatch(messages: Iterable<MessageSendRequest<Body>>, options?: { delaySeconds?: number }): Promise<QueueSendResponse> {
    if (messages === null || typeof (messages as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== "function") {
      throw new TypeError("Failed to execute 'sendBatch' on 'Queue': parameter 1 is not iterable.");
    }
    const requests = [...messages];
    if (requests.length === 0) throw new TypeError("sendBatch() requires at least one message");
    const batchDelay = checkDelaySeconds("sendBatch", options?.delaySeconds);
    const encoded = requests.map((request) => {
      if (typeof request !== "object" || request === null) {
        throw new TypeError(
          "Failed to execute 'sendBatch' on 'Queue': each message must be an object { body, contentType?, delaySeconds? }.",
        );
      }
      return this.#message(request.body, request.contentType, checkDelaySeconds("sendBatch", request.delaySeconds) ?? batchDelay);
    });
    for (const message of encoded) checkMessageSize("sendBatch", message.body.byteLength);
    checkBatch(
      encoded.length,
      encoded.reduce((total, message) => total + message.body.byteLength, 0),
    );
    await outputGateWait("Queue sendBatch()");
    return { metadata: { metrics: await this.#broker.send(this.#settings.queueName, encoded) } };
  }

  /** The queue's backlog: messages waiting (delayed ones too), their bytes, the oldest one's time. */
  metrics(): Promise<MessageBatchMetrics> {
    return this.#broker.metrics(this.#settings.queueName);
  }

  #message(body: unknown, contentType: unknown, delaySeconds: number | undefined): OutgoingMessage {
    const type = contentType === undefined ? this.#settings.defaultContentType : contentTypeOf(contentType);
    return { contentType: type, body: encodeBody(body, type), delaySeconds: delaySeconds ?? this.#settings.deliveryDelay ?? 0 };
  }
}
