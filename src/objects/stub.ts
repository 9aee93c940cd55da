import { nextDepth } from "../rpc/context.js";
import { DuraboxError } from "../base/errors.js";
import { isRpcReceiver } from "../rpc/classes.js";
import { notRpcDurableObject } from "../rpc/messages.js";
import { rpcProperty } from "../rpc/pipeline.js";
import { markHandle } from "../rpc/registry.js";
import { callerFor } from "../rpc/stub.js";
import type { RpcCompatibility } from "../rpc/compatibility.js";
import type { TargetRef } from "../rpc/target.js";
import type { DurableObjectId } from "./id.js";
import type { ObjectInstance } from "./instance.js";

/** @internal How a stub reaches its object: through the runtime, on every call. */
export interface StubTarget {
  /** The live instance for the id now (a new one after eviction or reset). */
  instance(): ObjectInstance;
  /** The class's RPC compatibility settings. */
  readonly rpc?: RpcCompatibility | undefined;
}

/** Relative URLs resolve against this, as production's stubs did before full URLs were required. */
const BASE_URL = "https://fake-host";

/** @internal A fetch() argument pair as one Request (relative URLs against a fake host, as production did). */
export function toRequest(input: Request | string | URL, init?: RequestInit): Request {
  if (input instanceof Request && init === undefined) return input;
  if (typeof input === "string" || input instanceof URL) input = new URL(input, BASE_URL);
  // A streamed body passes through as a stream, never buffered here.
  if (init?.body instanceof ReadableStream && !("duplex" in init)) init = { ...init, duplex: "half" } as RequestInit;
  return new Request(input, init);
}

/**
 * A stub: the caller's handle on an object. fetch() delivers a request; any
 * other member is JS RPC (on classes that extend DurableObject), with
 * arguments and results through the RPC codec (rpc/). Calls on one stub
 * reach the object in the order they were made.
 */
export class DurableObjectStub {
  readonly id: DurableObjectId;
  readonly #target: StubTarget;
  /** The instance this stub's last call reached. */
  #reached: ObjectInstance | undefined;

  /** @internal Stubs come from namespace.get(id). */
  constructor(id: DurableObjectId, target: StubTarget) {
    this.id = id;
    this.#target = target;
  }

  get name(): string | undefined {
    return this.id.name;
  }

  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    let depth: number;
    let request: Request;
    let instance: ObjectInstance;
    try {
      depth = nextDepth();
      request = toRequest(input, init);
      instance = this.#instance();
    } catch (error) {
      return Promise.reject(error);
    }
    instance.announce("fetch", () => `${request.method} ${new URL(request.url).pathname}`);
    return instance.deliver(depth, (object) => {
      const handler = (object as { fetch?: unknown }).fetch;
      if (typeof handler !== "function") {
        throw new DuraboxError(
          "ERR_NO_HANDLER",
          `The Durable Object class ${object.constructor.name} has no fetch() handler, so stub.fetch() cannot reach it. Add fetch(request) to the class, or call its methods over RPC.`,
        );
      }
      return Promise.resolve(handler.call(object, request)).then(checkResponse);
    });
  }

  /**
   * The live instance for the id (a new one after eviction), unless the one
   * this stub reached was aborted by abortAllDurableObjects(): then the stub
   * stays broken, as workerd's do.
   */
  #instance(): ObjectInstance {
    const broken = this.#reached?.stubsBrokenBy;
    if (broken !== undefined) throw broken;
    return (this.#reached = this.#target.instance());
  }

  /** @internal The object as RPC reaches it: the live instance for the id, on every call, under its gates. */
  get rpcTarget(): TargetRef {
    const instanceNow = (): ObjectInstance => this.#instance();
    return {
      rpc: this.#target.rpc,
      invoke(depth, operation, member) {
        let instance: ObjectInstance;
        try {
          instance = instanceNow();
        } catch (error) {
          return Promise.reject(error);
        }
        instance.announce("rpc", member);
        return instance.deliver(depth, (object) => {
          if (!isRpcReceiver(object)) throw notRpcDurableObject();
          return operation(object);
        });
      },
      // The object outlives its stubs: there is nothing to count.
      retain() {},
      release() {},
    };
  }
}

function checkResponse(response: unknown): Response {
  if (!(response instanceof Response)) {
    throw new DuraboxError(
      "ERR_RESPONSE_TYPE",
      `A Durable Object's fetch() must return a Response, but it returned ${response === null ? "null" : typeof response}.`,
    );
  }
  return response;
}

/** Properties a stub answers itself; every other string property is RPC (a method call, or a read when awaited). */
const OWN = new Set(["id", "name", "fetch"]);

/** Wraps a stub so that `stub.anyMethod(...)` and `await stub.property` are RPC. */
export function rpcStub<T extends DurableObjectStub>(stub: T): T {
  const root = stub.rpcTarget;
  const caller = callerFor(root);
  const members = new Map<string, unknown>();
  const proxy = new Proxy(stub, {
    get(target, property) {
      // Symbols, and `then` (so a stub is never mistaken for a promise), are not RPC.
      if (typeof property === "symbol" || property === "constructor") return Reflect.get(target, property, target);
      if (property === "then" || property === "toJSON") return undefined;
      let value = members.get(property);
      if (value !== undefined) return value;
      if (OWN.has(property)) {
        value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        value = value.bind(target);
      } else {
        value = rpcProperty(caller, [property]);
      }
      members.set(property, value);
      return value;
    },
  });
  // A stub sent over RPC arrives as itself.
  return markHandle(proxy);
}
