// durabox/testing-runtime: what the test environments load (the runtime
// itself); tests import durabox/testing instead.
export { TestRuntime, type TestRuntimeOptions, type Isolation } from "./test-runtime.js";
export { registerTestRuntime, currentTestRuntime } from "./registry.js";
export { installGlobals, testGlobals } from "./globals.js";
export { installWebSocketGlobals } from "./workers-globals.js";
export { installWorkersGlobals } from "../worker/workers-globals.js";
export type { DuraboxHost } from "../durabox-host.js";
export { DurableObject, WorkerEntrypoint, RpcTarget } from "../rpc/classes.js";
