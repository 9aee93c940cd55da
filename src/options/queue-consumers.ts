// Queue consumers: which queues a worker's `queue(batch, env, ctx)` handler consumes, and how
// (`queueConsumers`, Miniflare's option, and wrangler's `queues.consumers`). Not a binding: a
// consumer puts nothing on env. The values production allows and its defaults (Queues' docs:
// configuration, limits).
import { isRecord, typeName } from "../base/describe.js";
import { arrayOfTables, type ConfigValues, type Table } from "../config/values.js";
import { checkDelay } from "./bindings/queue-producers.js";
import { option } from "./declaration.js";
import { fail } from "./fail.js";
import { checkOptionKeys } from "./unknown.js";
import { shape } from "./value-types.js";

/** How a worker consumes one queue, defaults applied. */
export interface NormalizedQueueConsumer {
  readonly queueName: string;
  /** Messages per batch at most (`max_batch_size`: 1 to 100, default 10). */
  readonly maxBatchSize: number;
  /** Seconds a batch waits to fill before it is delivered anyway (`max_batch_timeout`: 0 to 60, default 5). */
  readonly maxBatchTimeout: number;
  /** Retries after the first delivery before a message goes to the dead-letter queue or is dropped (`max_retries`: 0 to 100, default 3). */
  readonly maxRetries: number;
  readonly deadLetterQueue: string | undefined;
  /** Seconds a retried message waits unless its retry() says (`retry_delay`, default 0). */
  readonly retryDelay: number;
}

/** One consumer's settings as the option gives them. */
export interface QueueConsumerOptions {
  maxBatchSize?: number;
  maxBatchTimeout?: number;
  maxRetries?: number;
  deadLetterQueue?: string;
  retryDelay?: number;
}

type ConsumerSettings = Omit<NormalizedQueueConsumer, "queueName">;

export const QUEUE_CONSUMER_DEFAULTS = { maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 3, retryDelay: 0 } as const;

const FIELDS = ["maxBatchSize", "maxBatchTimeout", "maxRetries", "deadLetterQueue", "retryDelay"];
const EXAMPLE = '{ queue = "jobs", max_batch_size = 10 }';

export const queueConsumersOption = option({
  doc: "the queues this worker's `queue(batch, env, ctx)` handler consumes: queue names, or queue name to `{ maxBatchSize?, maxBatchTimeout?, maxRetries?, deadLetterQueue?, retryDelay? }` (production's defaults: 10 messages, 5 s, 3 retries, no dead-letter queue, 0 s); wrangler's `queues.consumers` gives `queue`, `max_batch_size`, `max_batch_timeout`, `max_retries`, `dead_letter_queue`, `retry_delay`",
  type: shape<string[] | Record<string, QueueConsumerOptions>>(
    "`string[]` or `{ queue: { maxBatchSize?, ... } }`",
    "an array of queue names or an object of queue name to consumer settings, such as {example}",
    (value) =>
      (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
      (isRecord(value) && Object.values(value).every(isRecord)),
  ),
  example: '{ jobs: { maxBatchSize: 5, maxRetries: 2, deadLetterQueue: "jobs-dlq" } }',
  wrangler: "queues.consumers",
});

/** A whole number from `min` to `max`, or undefined when absent. */
function whole(
  where: string,
  value: unknown,
  min: number,
  max: number,
  unit: string,
  failWith: (message: string) => never,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    failWith(
      `${where} must be a whole number of ${unit} from ${min} to ${max}, got ${typeof value === "number" ? value : typeName(value)}.`,
    );
  }
  return value as number;
}

/** Settings checked, defaults filled in; `name(field)` says where each came from for errors. */
function settings(
  queueName: string,
  given: Record<string, unknown>,
  name: (field: string) => string,
  failWith: (message: string) => never,
): NormalizedQueueConsumer {
  const deadLetterQueue = given.deadLetterQueue;
  if (deadLetterQueue !== undefined && (typeof deadLetterQueue !== "string" || deadLetterQueue === "")) {
    failWith(`${name("deadLetterQueue")} must be a queue name (a string), got ${typeName(deadLetterQueue)}.`);
  }
  if (deadLetterQueue === queueName)
    failWith(`${name("deadLetterQueue")} names the queue itself ("${queueName}"): a dead-letter queue must be another queue.`);
  const result: ConsumerSettings = {
    maxBatchSize: whole(name("maxBatchSize"), given.maxBatchSize, 1, 100, "messages", failWith) ?? QUEUE_CONSUMER_DEFAULTS.maxBatchSize,
    maxBatchTimeout:
      whole(name("maxBatchTimeout"), given.maxBatchTimeout, 0, 60, "seconds", failWith) ?? QUEUE_CONSUMER_DEFAULTS.maxBatchTimeout,
    maxRetries: whole(name("maxRetries"), given.maxRetries, 0, 100, "retries", failWith) ?? QUEUE_CONSUMER_DEFAULTS.maxRetries,
    deadLetterQueue: deadLetterQueue as string | undefined,
    retryDelay: checkDelay(name("retryDelay"), given.retryDelay, failWith) ?? QUEUE_CONSUMER_DEFAULTS.retryDelay,
  };
  return { queueName, ...result };
}

const WRANGLER_FIELDS: Record<string, string> = {
  maxBatchSize: "max_batch_size",
  maxBatchTimeout: "max_batch_timeout",
  maxRetries: "max_retries",
  deadLetterQueue: "dead_letter_queue",
  retryDelay: "retry_delay",
};

/** wrangler's `queues.consumers` (push consumers: an `http_pull` consumer is not this worker's), by queue name. */
export function readQueueConsumers(config: Table, values: ConfigValues): Record<string, NormalizedQueueConsumer> {
  const consumers = values.table("queues", config.queues)?.consumers;
  const read = arrayOfTables(values, "queues.consumers", consumers, EXAMPLE, (entry, where) => {
    const queueName = values.string(`${where}.queue`, entry.queue);
    if (queueName === undefined) values.fail(`"${where}" needs a queue, like ${EXAMPLE}.`);
    const type = values.string(`${where}.type`, entry.type);
    const given = Object.fromEntries(Object.entries(WRANGLER_FIELDS).map(([field, key]) => [field, entry[key]]));
    const consumer = settings(queueName, given, (field) => `"${where}.${WRANGLER_FIELDS[field]}"`, values.fail);
    return [queueName, type === "http_pull" ? undefined : consumer];
  });
  return Object.fromEntries(Object.entries(read).filter((entry): entry is [string, NormalizedQueueConsumer] => entry[1] !== undefined));
}

/** The option's consumers over the config's, queue by queue. */
export function normalizeQueueConsumers(
  option: unknown,
  config: Readonly<Record<string, NormalizedQueueConsumer>> | undefined,
  prefix: string,
): NormalizedQueueConsumer[] {
  const merged = new Map(Object.entries(config ?? {}));
  const given: [string, unknown][] = Array.isArray(option) ? option.map((name: string) => [name, {}]) : Object.entries(option ?? {});
  for (const [queueName, entry] of given) {
    const path = `${prefix}queueConsumers.${queueName}`;
    if (!isRecord(entry)) fail(`${path} must be an object of consumer settings, got ${typeName(entry)}.`);
    checkOptionKeys(entry, FIELDS, { prefix: `${path}.` });
    merged.set(
      queueName,
      settings(queueName, entry, (field) => `${path}.${field}`, fail),
    );
  }
  return [...merged.values()];
}
