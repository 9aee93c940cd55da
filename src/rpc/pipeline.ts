import { notAFunction } from "./messages.js";
import { resolvePath } from "./receiver.js";
import { rpcRealm, stubState, type Caller } from "./registry.js";

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

/** Performs `path`/`args` on a value an RPC call resolved to: through it when it is a stub, else on the local copy. */
export async function callOn(
  value: unknown,
  path: readonly string[],
  args: readonly unknown[] | undefined,
  via?: { forwarded: boolean },
): Promise<unknown> {
  const resolved = resolvePath(value, path);
  if (via !== undefined) via.forwarded = resolved.kind === "forward" || (args !== undefined && stubState(resolved.value) !== undefined);
  if (resolved.kind === "forward") return resolved.stub.call(resolved.rest, args);
  if (args === undefined) return resolved.value;
  const stub = stubState(resolved.value);
  if (stub !== undefined) return stub.call([], args);
  if (typeof resolved.value !== "function") throw notAFunction(resolved.name ?? "");
  return (resolved.value as (...a: unknown[]) => unknown).apply(resolved.holder, args as unknown[]);
}

/** `stub.a.b`: reads, calls or extends the path on `caller`. */
export function rpcProperty(caller: Caller, path: readonly string[]): unknown {
  let children: Map<string, unknown> | undefined;
  const proxy = new Proxy(callableTarget(), {
    get(_target, key) {
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
  rpcRealm.pending.set(proxy, "JsRpcProperty");
  return proxy;
}

/** The pipelining caller over a call's result. */
function pipelineOn(result: Promise<unknown>): Caller {
  return { call: (path, args) => result.then((value) => callOn(value, path, args)) };
}

/** What `stub.method()` returns. */
export function rpcPromise(result: Promise<unknown>): unknown {
  let pipeline: Caller | undefined;
  const proxy = new Proxy(callableTarget(), {
    get(_target, key) {
      if (key === "then" || key === "catch" || key === "finally") return (result[key] as (...h: unknown[]) => unknown).bind(result);
      if (typeof key !== "string") return undefined;
      return rpcProperty((pipeline ??= pipelineOn(result)), [key]);
    },
    apply(_target, _this, args: unknown[]) {
      return rpcPromise((pipeline ??= pipelineOn(result)).call([], args));
    },
  });
  rpcRealm.pending.set(proxy, "JsRpcPromise");
  return proxy;
}
