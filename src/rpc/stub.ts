import { peekRealmShared } from "../base/shared-state.js";
import { remoteCall } from "./call.js";
import { disposedStub } from "./messages.js";
import { rpcPromise, rpcProperty } from "./pipeline.js";
import { rpcRealm, type Caller, type StubState } from "./registry.js";
import type { TargetRef } from "./target.js";

/**
 * Stubs: the stub proxy (`dup()`, `[Symbol.dispose]`, every other member an
 * RPC property) and the caller a Durable Object stub or a service binding
 * calls its target through. The stubs their calls hand out are made here.
 */

/** The caller for a target: RPC calls on it, whose copies hold stubs made here. */
export function callerFor(target: TargetRef): Caller {
  return { call: (path, args) => remoteCall(target, path, args, makeStub), stubFor: makeStub };
}

/** One stub: its target, and whether it was disposed. */
class StubHandle implements StubState {
  readonly #target: TargetRef;
  #disposed = false;
  readonly stubFor = makeStub;

  constructor(target: TargetRef) {
    this.#target = target;
    target.retain();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  call(path: readonly string[], args: readonly unknown[] | undefined): Promise<unknown> {
    if (this.#disposed) return Promise.reject(disposedStub());
    return remoteCall(this.#target, path, args, makeStub);
  }

  dup(): object {
    if (this.#disposed) throw disposedStub();
    return makeStub(this.#target);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#target.release();
  }
}

/** The prototype stubs answer `instanceof` with: RpcStub's (rpc-stub.ts registers the class per realm). */
function stubPrototype(): object {
  return peekRealmShared<{ prototype: object }>("cloudflare-workers.RpcStub")?.prototype ?? Function.prototype;
}

/** A stub to `target`: a callable proxy (a function sent by reference is called as `stub(...)`). */
export function makeStub(target: TargetRef): object {
  const handle = new StubHandle(target);
  const properties = new Map<string, unknown>();
  const dup = (): object => handle.dup();
  const dispose = (): void => handle.dispose();
  const stub = new Proxy(function stub() {}, {
    get(_target, key) {
      if (key === Symbol.dispose) return dispose;
      if (typeof key !== "string" || key === "then") return undefined;
      if (key === "dup") return dup;
      let property = properties.get(key);
      if (property === undefined) properties.set(key, (property = rpcProperty(handle, [key])));
      return property;
    },
    apply(_target, _this, args: unknown[]) {
      return rpcPromise(handle.call([], args), makeStub);
    },
    getPrototypeOf() {
      return stubPrototype();
    },
  });
  rpcRealm.stubs.set(stub, handle);
  return stub;
}
