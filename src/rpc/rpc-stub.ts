import { realmShared } from "../base/shared-state.js";
import { stubState } from "./registry.js";
import { makeStub } from "./stub.js";
import { ExportedTarget } from "./target.js";

/**
 * `new RpcStub(value)` from cloudflare:workers: a stub to an RpcTarget, a
 * function or a plain object, usable in place (calls go through RPC's rules)
 * and sendable over RPC. Given a stub, a duplicate of it. One class per realm,
 * like the other cloudflare:workers classes, so `instanceof RpcStub` holds for
 * every stub whichever copy of durabox made it.
 */
class RpcStubBase {
  constructor(value: object) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) {
      throw new TypeError("RpcStub() expects an RpcTarget, a function or an object.");
    }
    const existing = stubState(value);
    // A constructor returning an object makes `new RpcStub(x)` that object: the stub proxy.
    return (existing !== undefined ? existing.dup() : makeStub(new ExportedTarget(value))) as RpcStubBase;
  }
}

export const RpcStub = realmShared("cloudflare-workers.RpcStub", () => RpcStubBase);
export type RpcStub = RpcStubBase;
