/**
 * State outside the Durable Objects that tests isolate: a binding's data (KV, R2,
 * Cache API, D1). Durabox pushes and pops every participant's layers together with
 * the objects' storage, so one test's writes to any binding are undone after it.
 */
export interface IsolatedState {
  /** Starts a layer over the data; O(1) in what is stored. */
  pushLayer(): void;
  /** Drops the innermost layer's changes (some states finish asynchronously: IsolationScopes waits for them). */
  popLayer(): void | Promise<void>;
  /** Deletes all data, in every layer's view (cloudflare:test's `reset()`). */
  deleteAll(): Promise<void>;
  /** Releases files and connections. */
  dispose(): Promise<void>;
}
