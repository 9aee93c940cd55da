// durabox/testing: what tests import (the environments also install these as globals).
export {
  env,
  getBindings,
  getDurableObjectStorage,
  runInDurableObject,
  runDurableObjectAlarm,
  flushDurableObjectAlarms,
  listDurableObjectIds,
  evictDurableObject,
  getMiniflareBindings,
  getMiniflareDurableObjectStorage,
  getMiniflareDurableObjectState,
  getMiniflareDurableObjectInstance,
  runWithMiniflareDurableObjectGates,
  flushMiniflareDurableObjectAlarms,
  getMiniflareDurableObjectIds,
  installGlobals,
  type ProvidedEnv,
  type DurableObjectIdLike,
  type DurableObjectStubLike,
  type DurableObjectNamespaceLike,
} from "./helpers.js";
export { TestRuntime, type TestRuntimeOptions, type Isolation } from "./test-runtime.js";
export { registerTestRuntime, currentTestRuntime } from "./registry.js";
export type { DuraboxHost } from "../durabox.js";
export { DurableObject, WorkerEntrypoint, RpcTarget } from "../worker/cloudflare-workers.js";
