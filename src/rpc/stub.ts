import { peekRealmShared } from "../base/shared-state.js";
import { copyError, copyValue, type Transfer } from "./codec.js";
import { currentContext, directHost, nextDepth, type CallHost } from "./context.js";
import { disposedStub } from "./messages.js";
import { onResult, performOn, rpcPromise, rpcProperty } from "./pipeline.js";
import { rpcRealm, stubState, type StubState } from "./registry.js";
import type { TargetRef } from "./target.js";

/**
 * A call through RPC: the arguments copied for the receiver (what they send
 * by reference lives with the caller's host), delivered to the target's host
 * (an object's gates), the path followed there, and the result copied back
 * for the caller (what it sends by reference lives with the receiver). Stubs
 * the receiver got in the arguments are disposed when the call returns, and
 * a result object gets a disposer for the stubs inside it.
 */
export function remoteCall(target: TargetRef, path: readonly string[], args: readonly unknown[] | undefined): Promise<unknown> {
  let depth: number;
  let sent: Transfer | undefined;
  let copiedArgs: readonly unknown[] | undefined;
  try {
    depth = nextDepth();
    if (args !== undefined) {
      if (args.length === 0) copiedArgs = args;
      else {
        sent = newTransfer(currentContext()?.host ?? directHost);
        copiedArgs = copyValue(args, sent);
        // Nothing sent by reference: nothing to dispose when the call returns.
        if (sent.stubs.length === 0) sent = undefined;
      }
    }
  } catch (error) {
    return Promise.reject(error);
  }
  return target.invoke(
    depth,
    (root) => {
      const via = { forwarded: false };
      let result: unknown;
      try {
        result = performOn(root, path, copiedArgs, via);
      } catch (error) {
        return failed(error, sent);
      }
      // The common call (no stubs in the arguments, nothing forwarded) shares its continuations: no closures per call.
      const plain = sent === undefined && !via.forwarded;
      const finish = plain ? finishPlain : (value: unknown): unknown => finished(value, via.forwarded, sent);
      const fail = plain ? failPlain : (error: unknown): never => failed(error, sent);
      // Synchronous members answer without a promise of their own; the gates' run awaits what is returned.
      if (result instanceof Promise) return result.then(finish, fail);
      if (isThenable(result)) return Promise.resolve(result).then(finish, fail);
      return finish(result);
    },
    () => path.join("."),
  );
}

function finished(result: unknown, forwarded: boolean, sent: Transfer | undefined): unknown {
  try {
    return copyResult(result, forwarded);
  } finally {
    if (sent !== undefined) for (const stub of sent.stubs) stub.dispose();
  }
}

function failed(error: unknown, sent: Transfer | undefined): never {
  if (sent !== undefined) for (const stub of sent.stubs) stub.dispose();
  throw copyThrown(error);
}

const finishPlain = (result: unknown): unknown => copyResult(result, false);
const failPlain = (error: unknown): never => failed(error, undefined);

/** A result held here, as a call target: pipelined reads and calls on it answer fresh copies, as remote ones do. */
function resultTarget(value: unknown): TargetRef {
  return {
    invoke: (depth, operation) => directHost.run(depth, () => operation(value)),
    retain() {},
    release() {},
  };
}
onResult.call = (value, path, args) => {
  const stub = stubState(value);
  return stub !== undefined ? stub.call(path, args) : remoteCall(resultTarget(value), path, args);
};

function isThenable(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function newTransfer(host: CallHost): Transfer {
  return { host, stubFor: makeStub, stubs: [] };
}

/** The caller's copy of a result, made where the receiver runs. */
function copyResult(result: unknown, forwarded: boolean): unknown {
  // Numbers and the like cost nothing to copy; strings are sized, symbols refused, by the copier.
  if (result === null || typeof result === "number" || typeof result === "boolean" || typeof result === "undefined") return result;
  const transfer = newTransfer(currentContext()?.host ?? directHost);
  const copy = copyValue(result, transfer);
  // The result of a call this side forwarded (not a value of its own): the caller now holds its own stubs.
  if (forwarded) (result as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  // Every object result gets a disposer, but stubs have their own and handles (Durable Object stubs, bindings) are not the call's.
  if (typeof copy === "object" && copy !== null && !stubState(copy) && !rpcRealm.handles.has(copy)) {
    Object.defineProperty(copy, Symbol.dispose, {
      value: () => {
        for (const stub of transfer.stubs) stub.dispose();
      },
      configurable: true,
      writable: true,
    });
  }
  return copy;
}

function copyThrown(error: unknown): unknown {
  if (typeof error === "object" && error !== null && Object.prototype.toString.call(error) === "[object Error]") return copyError(error);
  if (error instanceof DOMException) return copyError(error);
  try {
    return copyValue(error, newTransfer(currentContext()?.host ?? directHost));
  } catch (cloneError) {
    return cloneError;
  }
}

/** One stub: its target, and whether it was disposed. */
class StubHandle implements StubState {
  readonly #target: TargetRef;
  #disposed = false;

  constructor(target: TargetRef) {
    this.#target = target;
    target.retain();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  call(path: readonly string[], args: readonly unknown[] | undefined): Promise<unknown> {
    if (this.#disposed) return Promise.reject(disposedStub());
    return remoteCall(this.#target, path, args);
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
      return rpcPromise(handle.call([], args));
    },
    getPrototypeOf() {
      return stubPrototype();
    },
  });
  rpcRealm.stubs.set(stub, handle);
  return stub;
}
