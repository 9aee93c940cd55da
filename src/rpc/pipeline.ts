import { notAFunction } from "./messages.js";
import { resolvePath } from "./receiver.js";
import { PENDING_TYPE, stubState, type Caller } from "./registry.js";

/**
 * Production's RPC promises and properties. `stub.name` is a property: awaiting
 * it reads the member remotely (a new call each time), calling it calls the
 * method, and reading a member of it extends the path. `stub.method()`
 * returns an RPC promise: a thenable whose members pipeline onto the result
 * (`stub.getCounter().increment()`), failing with the call's own error when
 * it failed. Both are callable proxies, as production's are.
 */

// The proxy targets are plain functions, so the proxies are callable; their own props never show.
function callableTarget(): () => void {
  return function rpc() {};
}

/**
 * Performs `path`/`args` on a value an RPC call resolved to: through it when
 * it is a stub (the result is then that call's, `forwarded`), else on the
 * value itself. Synchronous where the member is: a promise only when the
 * member returns one.
 */
export function performOn(
  value: unknown,
  path: readonly string[],
  args: readonly unknown[] | undefined,
  via?: { forwarded: boolean },
): unknown {
  const resolved = resolvePath(value, path);
  if (resolved.kind === "forward") {
    if (via !== undefined) via.forwarded = true;
    return resolved.stub.call(resolved.rest, args);
  }
  if (args === undefined) return resolved.value;
  const stub = stubState(resolved.value);
  if (stub !== undefined) {
    if (via !== undefined) via.forwarded = true;
    return stub.call([], args);
  }
  if (typeof resolved.value !== "function") throw notAFunction(resolved.name ?? "");
  return (resolved.value as (...a: unknown[]) => unknown).apply(resolved.holder, args as unknown[]);
}

/**
 * A call on a result that is data, not a stub: as production makes it, a new
 * call on the (remote) result, whose answer is a fresh copy. stub.ts provides
 * it (it owns the call path); until it has loaded, the value is read in place.
 */
export const onResult: { call(value: unknown, path: readonly string[], args: readonly unknown[] | undefined): Promise<unknown> } = {
  call: async (value, path, args) => performOn(value, path, args),
};

/** `stub.a.b`: reads, calls or extends the path on `caller`. */
export function rpcProperty(caller: Caller, path: readonly string[]): unknown {
  let children: Map<string, unknown> | undefined;
  const proxy = new Proxy(callableTarget(), {
    get(_target, key) {
      if (key === PENDING_TYPE) return "JsRpcProperty";
      if (typeof key !== "string") return undefined;
      if (key === "then" || key === "catch" || key === "finally") {
        // Each await is a new read, as production's properties are.
        return (...handlers: unknown[]) => {
          const read = caller.call(path, undefined);
          return (read[key] as (...h: unknown[]) => unknown).apply(read, handlers);
        };
      }
      children ??= new Map();
      let child = children.get(key);
      if (child === undefined) children.set(key, (child = rpcProperty(caller, [...path, key])));
      return child;
    },
    apply(_target, _this, args: unknown[]) {
      return rpcPromise(caller.call(path, args));
    },
  });
  return proxy;
}

/** The pipelining caller over a call's result. */
function pipelineOn(result: Promise<unknown>): Caller {
  return { call: (path, args) => result.then((value) => onResult.call(value, path, args)) };
}

/** The call an RPC promise stands for, kept on its proxy's target. */
interface PromiseTarget {
  (): void;
  result: Promise<unknown>;
  pipeline?: Caller;
}

// One handler and one set of promise methods for every RPC promise: a call allocates only the proxy and its target.
const RESULT = Symbol("rpc result");
function resultOf(proxy: unknown): Promise<unknown> {
  return (proxy as { [RESULT]: Promise<unknown> })[RESULT];
}
const promiseMethods = {
  then(this: unknown, onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown): Promise<unknown> {
    return resultOf(this).then(onFulfilled, onRejected);
  },
  catch(this: unknown, onRejected?: (reason: unknown) => unknown): Promise<unknown> {
    return resultOf(this).catch(onRejected);
  },
  finally(this: unknown, onFinally?: () => void): Promise<unknown> {
    return resultOf(this).finally(onFinally);
  },
};
const promiseHandler: ProxyHandler<PromiseTarget> = {
  get(target, key) {
    if (key === RESULT) return target.result;
    if (key === PENDING_TYPE) return "JsRpcPromise";
    if (key === "then" || key === "catch" || key === "finally") return promiseMethods[key];
    if (typeof key !== "string") return undefined;
    return rpcProperty((target.pipeline ??= pipelineOn(target.result)), [key]);
  },
  apply(target, _this, args: unknown[]) {
    return rpcPromise((target.pipeline ??= pipelineOn(target.result)).call([], args));
  },
};

/** What `stub.method()` returns. */
export function rpcPromise(result: Promise<unknown>): unknown {
  const target = function rpc() {} as PromiseTarget;
  target.result = result;
  return new Proxy(target, promiseHandler);
}
