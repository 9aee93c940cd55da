// What `cloudflare:workers` offers for RPC: the classes, one set per realm.
// The entry (src/cloudflare-workers.ts) and the worker loader (worker code's
// `import ... from "cloudflare:workers"`) both hand out this.
export { DurableObject, WorkerEntrypoint, WorkflowEntrypoint, RpcTarget } from "./classes.js";
export { RpcStub } from "./rpc-stub.js";
