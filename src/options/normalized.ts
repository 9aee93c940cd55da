// What normalizeOptions returns: the validated, defaulted shape everything deeper relies on.

export interface NormalizedBinding {
  readonly binding: string;
  readonly className: string;
  /** The worker exporting the class. */
  readonly scriptName: string;
  /** What the binding says of the class's storage, when it says (`useSQLite`, or `:sqlite` on the command line). */
  readonly useSQLite?: boolean;
}

/** A service binding: an entrypoint of a worker of this runtime, or a function answering fetch(). */
export type NormalizedService =
  | {
      readonly binding: string;
      /** The worker serving it. */
      readonly service: string;
      /** A named entrypoint; undefined: the default export. */
      readonly entrypoint: string | undefined;
      readonly props: Readonly<Record<string, unknown>>;
    }
  | { readonly binding: string; readonly handler: (request: Request) => unknown };
/** A D1 binding: the database it names (bindings naming one id share a database). */
export interface NormalizedD1Binding {
  readonly binding: string;
  readonly databaseId: string;
  /** wrangler's `migrations_dir`, absolute, when the config gives one. */
  readonly migrationsDir?: string;
}

/** An R2 binding: `env[binding]` is the bucket `bucketName`. */
export interface NormalizedR2Bucket {
  readonly binding: string;
  readonly bucketName: string;
}

export type NormalizedSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface NormalizedWorker {
  readonly name: string;
  readonly source: NormalizedSource | undefined;
  readonly durableObjects: readonly NormalizedBinding[];
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
  /** KV namespace bindings: binding name and the namespace id whose data it reads and writes. */
  readonly kvNamespaces: readonly { readonly binding: string; readonly id: string }[];
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
  /** Whether the Cache API stores anything (cache), and where (cachePersist). */
  readonly cache: boolean;
  readonly cachePersistence: NormalizedPersistence;
}
