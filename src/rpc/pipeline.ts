import { callOnResult } from "./call.js";
import { PENDING_TYPE, type Caller, type StubMaker } from "./registry.js";

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
      return rpcPromise(caller.call(path, args), caller.stubFor);
    },
  });
  return proxy;
}

/** The pipelining caller over a call's result. */
function pipelineOn(result: Promise<unknown>, stubFor: StubMaker): Caller {
  return { call: (path, args) => result.then((value) => callOnResult(value, path, args, stubFor)), stubFor };
}

/** The call an RPC promise stands for, kept on its proxy's target. */
interface PromiseTarget {
  (): void;
  result: Promise<unknown>;
  stubFor: StubMaker;
  pipeline?: Caller;
}

// One handler and one set of promise methods for every RPC promise: a call allocates only the proxy and its target.
const RESULT = Symbol("rpc result");
/**
 * The RPC promise whose `then` was read last, and its target: `await` reads
 * `then` and calls it at once, so the call finds its result here without a
 * second trip through the proxy's trap.
 */
let lastProxy: unknown;
let lastTarget: PromiseTarget | undefined;
function resultOf(proxy: unknown): Promise<unknown> {
  if (proxy === lastProxy && lastTarget !== undefined) {
    const { result } = lastTarget;
    lastProxy = lastTarget = undefined;
    return result;
  }
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
  get(target, key, proxy) {
    if (key === "then") {
      lastProxy = proxy;
      lastTarget = target;
      return promiseMethods.then;
    }
    if (key === RESULT) return target.result;
    if (key === PENDING_TYPE) return "JsRpcPromise";
    if (key === "catch" || key === "finally") return promiseMethods[key];
    if (typeof key !== "string") return undefined;
    return rpcProperty((target.pipeline ??= pipelineOn(target.result, target.stubFor)), [key]);
  },
  apply(target, _this, args: unknown[]) {
    return rpcPromise((target.pipeline ??= pipelineOn(target.result, target.stubFor)).call([], args), target.stubFor);
  },
};

/** What `stub.method()` returns; `stubFor` makes the stubs its pipelined calls hand out. */
export function rpcPromise(result: Promise<unknown>, stubFor: StubMaker): unknown {
  const target = function rpc() {} as PromiseTarget;
  target.result = result;
  target.stubFor = stubFor;
  return new Proxy(target, promiseHandler);
}
