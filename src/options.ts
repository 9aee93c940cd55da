// Options: declared once in options/declared.ts; validated and normalised here, at the edge.
export type { DuraboxOptions, WorkerOptions, DurableObjectBindingOptions, TestRuntimeOptions, Isolation } from "./options/types.js";
export type {
  NormalizedBinding,
  NormalizedSource,
  NormalizedWorker,
  NormalizedPersistence,
  NormalizedOptions,
} from "./options/normalized.js";
export { normalizeOptions } from "./options/normalize.js";
export { DEFAULT_PERSIST_DIRECTORY } from "./options/persistence.js";
