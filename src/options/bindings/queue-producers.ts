// Queue producer bindings: `queueProducers` (Miniflare's array of queue names, or a record of
// binding name to queue name or `{ queueName, deliveryDelay? }`) and wrangler's `queues.producers`.
import { isRecord, typeName } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { shape } from "../value-types.js";
import { MAX_DELAY_SECONDS } from "../../bindings/queues/limits.js";
import { bindingKind, type BindingContext } from "./kind.js";

/** A producer binding: `env[binding].send()` writes to queue `queueName`. */
export interface NormalizedQueueProducer {
  readonly binding: string;
  readonly queueName: string;
  /** Seconds every message waits before delivery unless its send gives `delaySeconds` (wrangler's `delivery_delay`). */
  readonly deliveryDelay: number | undefined;
  /** What send() sends without a contentType: "json" from compatibility date 2024-03-18 (`queues_json_messages`) or with no date, else "v8". */
  readonly defaultContentType: "json" | "v8";
}

/** workerd's `queues_json_messages`: on from 2024-03-18, or by flag; `no_queues_json_messages` turns it off. */
function defaultContentType({ compatibilityDate, compatibilityFlags }: BindingContext): "json" | "v8" {
  if (compatibilityFlags.includes("no_queues_json_messages")) return "v8";
  if (compatibilityFlags.includes("queues_json_messages")) return "json";
  // No date: the latest, as @cloudflare/vitest-plugin infers it and as ctx.exports and the RPC settings read it.
  return compatibilityDate === undefined || compatibilityDate >= "2024-03-18" ? "json" : "v8";
}

/** One producer as the option gives it. */
export type QueueProducerOptions = string | { queueName: string; deliveryDelay?: number };

const EXAMPLE = '{ binding = "JOBS", queue = "jobs" }';
const FORMS = 'a queue name or { queueName: "jobs", deliveryDelay?: seconds }';

/** A delay in whole seconds, 0 to 24 hours, or an error naming where it was given. */
export function checkDelay(where: string, value: unknown, fail: (message: string) => never): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_DELAY_SECONDS) {
    fail(
      `${where} must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS} (24 hours), got ${typeof value === "number" ? value : typeName(value)}.`,
    );
  }
  return value as number;
}

export const queueProducers = bindingKind<
  string[] | Record<string, QueueProducerOptions>,
  { queueName: string; deliveryDelay?: number },
  NormalizedQueueProducer
>({
  option: "queueProducers",
  declaration: option({
    doc: "Queue producer bindings on `env` (`send`, `sendBatch`): queue names (each bound under its own name), or binding name to a queue name or `{ queueName, deliveryDelay? }`; wrangler's `queues.producers` gives `binding`, `queue` and `delivery_delay`",
    type: shape<string[] | Record<string, QueueProducerOptions>>(
      '`string[]` or `{ BINDING: "queue" }`',
      "an array of queue names or an object of binding name to queue name, such as {example}",
      (value) =>
        (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
        (isRecord(value) && Object.values(value).every((entry) => (typeof entry === "string" && entry !== "") || isRecord(entry))),
    ),
    example: '{ JOBS: "jobs" }',
    wrangler: "queues.producers",
    cli: { name: "queue", value: "NAME[=QUEUE]", multiple: true, help: "bind a queue producer on env (QUEUE defaults to NAME)" },
  }),
  noun: "a queue producer binding",
  wrangler: {
    section: "queues",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "queues.producers", values.table("queues", config.queues)?.producers, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        const queueName = values.string(`${where}.queue`, entry.queue);
        if (binding === undefined || queueName === undefined) values.fail(`"${where}" needs a binding and a queue, like ${EXAMPLE}.`);
        const deliveryDelay = checkDelay(`"${where}.delivery_delay"`, entry.delivery_delay, values.fail);
        return [binding, { queueName, ...(deliveryDelay !== undefined && { deliveryDelay }) }];
      }),
  },
  normalize: (option, config, context) => {
    const { prefix } = context;
    const contentType = defaultContentType(context);
    const given: [string, unknown][] = Array.isArray(option) ? option.map((name) => [name, name]) : Object.entries(option ?? {});
    const merged = new Map<string, NormalizedQueueProducer>();
    for (const [binding, { queueName, deliveryDelay }] of Object.entries(config ?? {}))
      merged.set(binding, { binding, queueName, deliveryDelay, defaultContentType: contentType });
    for (const [binding, entry] of given) {
      const path = `${prefix}queueProducers.${binding}`;
      if (typeof entry === "string") {
        merged.set(binding, { binding, queueName: entry, deliveryDelay: undefined, defaultContentType: contentType });
        continue;
      }
      if (!isRecord(entry)) fail(`${path} must be ${FORMS}, got ${typeName(entry)}.`);
      checkOptionKeys(entry, ["queueName", "deliveryDelay"], { prefix: `${path}.` });
      if (typeof entry.queueName !== "string" || entry.queueName === "") {
        fail(`${path}.queueName must be the queue's name (a string), got ${typeName(entry.queueName)}.`);
      }
      const deliveryDelay = checkDelay(`${path}.deliveryDelay`, entry.deliveryDelay, fail);
      merged.set(binding, { binding, queueName: entry.queueName, deliveryDelay, defaultContentType: contentType });
    }
    return [...merged.values()];
  },
});
