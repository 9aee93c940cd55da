// Every kind of binding a worker's env can hold, one declaration each. Adding
// a kind is a declaration here and a runtime entry in runtime/binding-runtimes.ts
// (a `Record<BindingKind, ...>`: a kind without one does not compile).
// Listed in the order names are claimed, so a collision's error names the later kind first.
import type { BindingDeclaration } from "./kind.js";
import { vars } from "./vars.js";
import { durableObjectBindings } from "./durable-objects.js";
import { serviceBindings } from "./services.js";
import { d1Databases } from "./d1-databases.js";
import { r2Buckets } from "./r2-buckets.js";
import { kvNamespaces } from "./kv-namespaces.js";
import { queueProducers } from "./queue-producers.js";
import { secretsStoreSecrets } from "./secrets-store-secrets.js";
import { rateLimits } from "./rate-limits.js";
import { workflows } from "./workflows.js";

export const BINDING_DECLARATIONS = {
  var: vars,
  durableObject: durableObjectBindings,
  service: serviceBindings,
  d1: d1Databases,
  r2: r2Buckets,
  kv: kvNamespaces,
  queue: queueProducers,
  secret: secretsStoreSecrets,
  ratelimit: rateLimits,
  workflow: workflows,
} as const;

export type BindingKind = keyof typeof BINDING_DECLARATIONS;

type Parts<K extends BindingKind> =
  (typeof BINDING_DECLARATIONS)[K] extends BindingDeclaration<infer O, infer C, infer B> ? [O, C, B] : never;
/** One normalised binding of kind K. */
export type BindingOf<K extends BindingKind> = Parts<K>[2];
/** One wrangler config entry of kind K, as the config reader gives it. */
export type ConfigOf<K extends BindingKind> = Parts<K>[1];
/** The worker option's value for kind K. */
export type OptionOf<K extends BindingKind> = Parts<K>[0];

/** A binding on a worker's env, tagged by its kind. */
export type EnvBinding<K extends BindingKind = BindingKind> = { [P in K]: { readonly kind: P; readonly value: BindingOf<P> } }[K];

/** A wrangler config's bindings, kind by kind, by binding name. */
export type ConfigBindings = { readonly [K in BindingKind]: Readonly<Record<string, ConfigOf<K>>> };

export const BINDING_KINDS = Object.keys(BINDING_DECLARATIONS) as BindingKind[];
