/**
 * Miniflare's options for bindings durabox does not have yet, and what they
 * give: an error for one of them says so plainly, instead of only "unknown".
 * An option moves from here to declared.ts when its binding exists.
 */
export const MINIFLARE_OPTIONS_NOT_SUPPORTED_YET: Readonly<Record<string, string>> = {
  r2Buckets: "R2 buckets",
  r2Persist: "R2 persistence",
  d1Databases: "D1 databases",
  d1Persist: "D1 persistence",
  serviceBindings: "service bindings",
  queueProducers: "Queues",
  queueConsumers: "Queues",
};
