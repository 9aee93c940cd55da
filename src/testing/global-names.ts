/**
 * The globals durabox puts on a test file's global object that are its own
 * (not the platform's forms of `Response`, `fetch`, `crypto`, `WebSocket`):
 * `env`, the helpers (installGlobals' testGlobals), `caches`, and the Workers
 * globals Node lacks. Listed here, apart from the modules that make them, so
 * a test file's globals can be put in place before the runtime is loaded
 * (deferred-runtime.ts); test/testing/deferred-runtime.test.ts checks the
 * list against what installGlobals, installWebSocketGlobals and
 * installWorkersGlobals install.
 */
export const DURABOX_GLOBAL_NAMES: readonly string[] = [
  "env",
  "caches",
  "applyD1Migrations",
  "connectWebSocket",
  "evictDurableObject",
  "flushDurableObjectAlarms",
  "getBindings",
  "getCaches",
  "getD1Database",
  "getDurableObjectStorage",
  "getKVNamespace",
  "getR2Bucket",
  "listDurableObjectIds",
  "readD1Migrations",
  "runDurableObjectAlarm",
  "runInDurableObject",
  "flushMiniflareDurableObjectAlarms",
  "getMiniflareBindings",
  "getMiniflareDurableObjectIds",
  "getMiniflareDurableObjectInstance",
  "getMiniflareDurableObjectState",
  "getMiniflareDurableObjectStorage",
  "getMiniflareFetchMock",
  "runWithMiniflareDurableObjectGates",
  "WebSocketPair",
  "WebSocketRequestResponsePair",
  "scheduler",
  "FixedLengthStream",
];
