// The types worker code and test runners meet the worker loader through.

/**
 * Loads a worker's entry module through a test runner's module system (so
 * its mocks, transforms and coverage apply) instead of durabox's bundler.
 */
export type ModuleLoader = (entryPath: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** What a worker's fetch handler receives as its third argument. */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: Record<string, unknown>;
  /** Loopback bindings to the worker's own exports (compatibility date 2025-11-17 or `enable_ctx_exports`). */
  readonly exports?: object;
}
