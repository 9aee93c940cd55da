// The `cloudflare:test` module (@cloudflare/vitest-plugin's test API), what
// the test environments resolve the specifier to: durabox's helpers, whose
// names and shapes are Cloudflare's where Cloudflare has them
// (runInDurableObject, runDurableObjectAlarm, listDurableObjectIds,
// evictDurableObject, env, and any added later), plus Cloudflare's own
// (SELF, reset, fetchMock, execution contexts, ...).
export * from "./testing/helpers.js";
export * from "./testing/cloudflare-test.js";
export * from "./testing/pages-event-context.js";
export * from "./testing/workflow-introspection.js";
