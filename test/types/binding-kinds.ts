// Type test (checked by `tsc -p tsconfig.json`, which `npm run typecheck` runs): a binding
// kind has two halves, its declaration (options/bindings/table.ts) and its runtime entry
// (runtime/binding-runtimes.ts), and forgetting either does not compile. Each
// `@ts-expect-error` below fails the type check if the line it marks ever compiles.
import { bindingKind } from "../../src/options/bindings/kind.js";
import { BINDING_DECLARATIONS } from "../../src/options/bindings/table.js";
import { option } from "../../src/options/declaration.js";
import { string } from "../../src/options/value-types.js";
import { BINDING_RUNTIMES, type RuntimeTable } from "../../src/runtime/binding-runtimes.js";

/** A new kind not in the table (named `dryRun` here, shaped as Queues' producers first were): a producer binding naming its queue. */
const queueProducers = bindingKind<Record<string, string>, string, { readonly binding: string; readonly queueName: string }>({
  option: "queueProducers",
  declaration: option({ doc: "queue producer bindings on `env`", type: string as never, example: '{ QUEUE: "jobs" }' }),
  noun: "a queue producer binding",
  wrangler: { section: "queues", read: () => ({}) },
  normalize: (option, config) => Object.entries({ ...config, ...option }).map(([binding, queueName]) => ({ binding, queueName })),
});
const queueRuntime = {
  create: ({ queueName }: { queueName: string }) => ({ queueName }),
  describe: ({ queueName }: { queueName: string }) => `queue ${queueName}`,
  envType: () => "Queue",
};

export const declaredWithQueues = { ...BINDING_DECLARATIONS, dryRun: queueProducers };

// The runtime table as it is has every declared kind's entry.
export const complete: RuntimeTable<typeof BINDING_DECLARATIONS> = BINDING_RUNTIMES;

// A kind declared but given no runtime entry: the table lacks "dryRun".
// @ts-expect-error Property 'dryRun' is missing
export const declaredOnly: RuntimeTable<typeof declaredWithQueues> = BINDING_RUNTIMES;

// Both halves: compiles.
export const bothHalves: RuntimeTable<typeof declaredWithQueues> = { ...BINDING_RUNTIMES, dryRun: queueRuntime };

// A runtime entry for a kind nobody declared.
// @ts-expect-error Object literal may only specify known properties
export const runtimeOnly: RuntimeTable<typeof BINDING_DECLARATIONS> = { ...BINDING_RUNTIMES, dryRun: queueRuntime };

// An entry of the wrong shape for its kind: a KV entry reading an R2 binding's field.
export const wrongShape: RuntimeTable<typeof BINDING_DECLARATIONS> = {
  ...BINDING_RUNTIMES,
  // @ts-expect-error Property 'bucketName' does not exist on a KV namespace binding
  kv: { ...BINDING_RUNTIMES.kv, describe: ({ bucketName }) => `KV ${bucketName}` },
};
