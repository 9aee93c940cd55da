// The `cloudflare:workers` module as worker code and tests import it (the
// test environments alias the specifier here). A leaf entry: it re-exports,
// and nothing in durabox imports it.
export { DurableObject, WorkerEntrypoint, RpcTarget, RpcStub } from "./rpc/workers-module.js";
