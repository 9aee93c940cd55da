import { loopbackProps } from "../base/loopback-props.js";
import { DuraboxError } from "../base/errors.js";
import { toRequest } from "../objects/stub.js";
import { directHost, nextDepth } from "../rpc/context.js";
import { notImplemented } from "../rpc/messages.js";
import { rpcProperty } from "../rpc/pipeline.js";
import { markHandle, refuseSerialization } from "../rpc/registry.js";
import { callerFor } from "../rpc/stub.js";
import type { RpcCompatibility } from "../rpc/compatibility.js";
import type { TargetRef } from "../rpc/target.js";
import type { LoadedWorker } from "./worker.js";

/** What a service binding reaches: an entrypoint of a worker of this runtime, or a function (Miniflare's form). */
export type ServiceTarget =
  | {
      readonly kind: "worker";
      /** The worker serving the binding; a promise while it loads. */
      worker(): LoadedWorker | Promise<LoadedWorker>;
      /** A named entrypoint; undefined: the default export. */
      readonly entrypoint: string | undefined;
      /** `ctx.props` of the entrypoint. */
      readonly props: Record<string, unknown>;
      /** The serving worker's RPC compatibility settings. */
      readonly rpc?: RpcCompatibility | undefined;
      /**
       * A `ctx.exports` entry (workerd's LoopbackServiceStub): callable as `X({ props })` for a
       * binding with those props, and, unlike that binding, not sendable over RPC.
       */
      readonly loopback?: boolean;
    }
  | { readonly kind: "function"; readonly handler: (request: Request) => unknown };

function withWorker<T>(target: Extract<ServiceTarget, { kind: "worker" }>, then: (worker: LoadedWorker) => Promise<T>): Promise<T> {
  try {
    const worker = target.worker();
    return worker instanceof Promise ? worker.then(then) : then(worker);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A service binding (a Fetcher): `fetch()` is the entrypoint's HTTP handler,
 * every other member is JS RPC to a new instance of the entrypoint class (or
 * to the handlers object's functions), through the RPC codec. Sent over RPC
 * as itself.
 */
export function serviceBinding(target: ServiceTarget): object {
  const root: TargetRef = {
    rpc: target.kind === "worker" ? target.rpc : undefined,
    invoke(depth, operation) {
      if (target.kind === "function") return Promise.reject(notImplemented("fetch"));
      return withWorker(target, (worker) => directHost.run(depth, () => operation(worker.rpcReceiver(target.entrypoint, target.props))));
    },
    retain() {},
    release() {},
  };
  const caller = callerFor(root);
  const fetch = (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    let depth: number;
    let request: Request;
    try {
      depth = nextDepth();
      request = toRequest(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
    if (target.kind === "worker")
      return withWorker(target, (worker) => worker.fetchEntrypoint(request, target.entrypoint, target.props, depth));
    return directHost
      .run(depth, () => target.handler(request))
      .then((response) => {
        if (!(response instanceof Response)) {
          throw new DuraboxError(
            "ERR_RESPONSE_TYPE",
            `A service binding's function must return a Response, but it returned ${response === null ? "null" : typeof response}.`,
          );
        }
        return response;
      });
  };
  const connect = (): never => {
    throw new DuraboxError("ERR_NO_HANDLER", "durabox does not run TCP sockets: a service binding's connect() is not supported.");
  };
  const members = new Map<string, unknown>();
  const loopback = target.kind === "worker" && target.loopback === true;
  // A loopback stub is a function (callable); its traps answer every member as any binding's do.
  const base: object = loopback ? () => {} : (Object.create(null) as object);
  const binding = new Proxy(base, {
    apply(_target, _this, args: unknown[]) {
      return serviceBinding({ ...(target as Extract<ServiceTarget, { kind: "worker" }>), loopback: false, props: loopbackProps(args[0]) });
    },
    get(_target, key) {
      if (key === "fetch") return fetch;
      if (key === "connect") return connect;
      if (typeof key !== "string" || key === "then" || key === "toJSON") return undefined;
      let member = members.get(key);
      if (member === undefined) members.set(key, (member = rpcProperty(caller, [key])));
      return member;
    },
  });
  return loopback ? refuseSerialization(binding, LOOPBACK_NOT_SERIALIZABLE) : markHandle(binding);
}

/** workerd's text for a LoopbackServiceStub sent over RPC: it must be specialised (`X({ props })`) first. */
const LOOPBACK_NOT_SERIALIZABLE = 'Could not serialize object of type "LoopbackServiceStub". This type does not support serialization.';
