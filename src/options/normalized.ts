// What normalizeOptions returns: the validated, defaulted shape everything deeper relies on.

export interface NormalizedBinding {
  readonly binding: string;
  readonly className: string;
  /** The worker exporting the class. */
  readonly scriptName: string;
}

export type NormalizedSource =
  | { readonly kind: "script"; readonly code: string; readonly resolveDir: string; readonly filename: string }
  | { readonly kind: "path"; readonly path: string };

export interface NormalizedWorker {
  readonly name: string;
  readonly source: NormalizedSource | undefined;
  readonly durableObjects: readonly NormalizedBinding[];
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly compatibilityFlags: readonly string[];
  readonly compatibilityDate: string | undefined;
  /** Classes declared SQLite-backed by the config's migrations. */
  readonly sqliteClasses: readonly string[];
  /** durable_objects_persist from the worker's wrangler config, relative paths resolved. */
  readonly configPersist: boolean | string | undefined;
}

export type NormalizedPersistence =
  { readonly kind: "memory" } | { readonly kind: "file"; readonly directory: string } | { readonly kind: "redis"; readonly url: string };

export interface NormalizedOptions {
  /** The entry worker (dispatchFetch goes there) first. */
  readonly workers: readonly NormalizedWorker[];
  readonly automaticAlarms: boolean;
  readonly persistence: NormalizedPersistence;
}
