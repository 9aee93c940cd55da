// What normalizeOptions returns: the validated, defaulted shape everything deeper relies on.
import type { NormalizedBinding } from "./bindings/durable-objects.js";
import type { NormalizedService } from "./bindings/services.js";
import type { NormalizedD1Binding } from "./bindings/d1-databases.js";
import type { NormalizedR2Bucket } from "./bindings/r2-buckets.js";
import type { NormalizedKvNamespace } from "./bindings/kv-namespaces.js";
import type { EnvBinding } from "./bindings/table.js";
import type { NormalizedQueueProducer } from "./bindings/queue-producers.js";
import type { NormalizedQueueConsumer } from "./queue-consumers.js";

export type { NormalizedBinding } from "./bindings/durable-objects.js";
export type { NormalizedService } from "./bindings/services.js";
export type { NormalizedD1Binding } from "./bindings/d1-databases.js";
export type { NormalizedR2Bucket } from "./bindings/r2-buckets.js";
export type { NormalizedKvNamespace } from "./bindings/kv-namespaces.js";
export type { BindingKind, EnvBinding } from "./bindings/table.js";
export type { NormalizedQueueProducer } from "./bindings/queue-producers.js";
export type { NormalizedQueueConsumer } from "./queue-consumers.js";

export type NormalizedSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface NormalizedWorker {
  readonly name: string;
  readonly source: NormalizedSource | undefined;
  /** Every binding on its env, by name, tagged by kind: one claim of each name (options/bindings/env.ts). */
  readonly env: ReadonlyMap<string, EnvBinding>;
  // The env's bindings kind by kind, in env order (views of `env`).
  readonly durableObjects: readonly NormalizedBinding[];
  /** Plain values (vars). */
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly serviceBindings: readonly NormalizedService[];
  /** Whether `ctx.exports` is on: compatibility date 2025-11-17 or later, or the flag `enable_ctx_exports`. */
  readonly ctxExports: boolean;
  readonly d1Databases: readonly NormalizedD1Binding[];
  readonly r2Buckets: readonly NormalizedR2Bucket[];
  readonly compatibilityFlags: readonly string[];
  readonly compatibilityDate: string | undefined;
  /**
   * How each class this worker exports keeps its data, one answer per class
   * from every source (its config's migrations or exports, every binding of
   * it): each class bound by any worker, and each live class of its config.
   * The union is objects/class-registry.ts's StorageKind, spelled out: the
   * public declarations reach this file and must not reach the registry.
   */
  readonly storageKinds: ReadonlyMap<string, "key-value" | "sqlite">;
  readonly kvNamespaces: readonly NormalizedKvNamespace[];
  readonly queueProducers: readonly NormalizedQueueProducer[];
  /** The queues its `queue()` handler consumes (one worker per queue). */
  readonly queueConsumers: readonly NormalizedQueueConsumer[];
  /** durable_objects_persist from the worker's wrangler config, relative paths resolved. */
  readonly configPersist: boolean | string | undefined;
}

export type NormalizedPersistence =
  { readonly kind: "memory" } | { readonly kind: "file"; readonly directory: string } | { readonly kind: "redis"; readonly url: string };

export interface NormalizedOptions {
  /** The entry worker (dispatchFetch goes there) first. */
  readonly workers: readonly NormalizedWorker[];
  readonly automaticAlarms: boolean;
  /** Log every Durable Object event. */
  readonly verbose: boolean;
  readonly persistence: NormalizedPersistence;
  /** Where D1 databases live: undefined for memory, else a directory. */
  readonly d1Directory: string | undefined;
  /** Where R2 keeps its data (`r2Persist`). */
  readonly r2Persistence: NormalizedPersistence;
  /** Where KV data lives (kvPersist). */
  readonly kvPersistence: NormalizedPersistence;
  /** Where queued messages live (queuesPersist). */
  readonly queuesPersistence: NormalizedPersistence;
  /** Where Secrets Store secrets live (secretsStorePersist). */
  readonly secretsStorePersistence: NormalizedPersistence;
  /** Where Workflow instances live (workflowsPersist). */
  readonly workflowsPersistence: NormalizedPersistence;
  /** Whether the Cache API stores anything (cache), and where (cachePersist). */
  readonly cache: boolean;
  readonly cachePersistence: NormalizedPersistence;
}
