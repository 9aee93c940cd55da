import { currentContext, MAX_DEPTH } from "./context.js";
import { DuraboxError } from "../base/errors.js";
import { isRpcReceiver } from "../rpc/classes.js";
import { cloneValue } from "../base/realm.js";
import type { DurableObjectId } from "./id.js";
import type { ObjectInstance } from "./instance.js";

/** @internal How a stub reaches its object: through the runtime, on every call. */
export interface StubTarget {
  /** The live instance for the id now (a new one after eviction or reset). */
  instance(): ObjectInstance;
}

/** Relative URLs resolve against this, as production's stubs did before full URLs were required. */
const BASE_URL = "https://fake-host";

function nextDepth(): number {
  const depth = (currentContext()?.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) {
    throw new DuraboxError(
      "ERR_RECURSION",
      `Durable Object call recursion is too deep: objects can recurse up to ${MAX_DEPTH} levels ` +
        "(an object calling another object, which calls another, and so on). Look for a loop in the objects' calls.",
    );
  }
  return depth;
}

function toRequest(input: Request | string | URL, init?: RequestInit): Request {
  if (input instanceof Request && init === undefined) return input;
  if (typeof input === "string" || input instanceof URL) input = new URL(input, BASE_URL);
  // A streamed body passes through as a stream, never buffered here.
  if (init?.body instanceof ReadableStream && !("duplex" in init)) init = { ...init, duplex: "half" } as RequestInit;
  return new Request(input, init);
}

/**
 * A stub: the caller's handle on an object. fetch() delivers a request; any
 * other method name is a JS RPC call (on classes that extend DurableObject),
 * with arguments and results structured-cloned. Calls on one stub reach the
 * object in the order they were made.
 */
export class DurableObjectStub {
  readonly id: DurableObjectId;
  readonly #target: StubTarget;

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
      instance = this.#target.instance();
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

  /** @internal A JS RPC call: `stub.method(...args)`. */
  call(method: string, args: unknown[]): Promise<unknown> {
    let depth: number;
    let instance: ObjectInstance;
    let cloned: unknown[];
    try {
      depth = nextDepth();
      cloned = cloneValue(args);
      instance = this.#target.instance();
    } catch (error) {
      return Promise.reject(error);
    }
    instance.announce("rpc", () => method);
    return instance.deliver(depth, async (object) => {
      if (!isRpcReceiver(object)) {
        throw new TypeError(
          `The receiving Durable Object does not support RPC, because its class was not declared with \`extends DurableObject\`. ` +
            `Declare it as \`class ${object.constructor.name} extends DurableObject\` (import { DurableObject } from "cloudflare:workers").`,
        );
      }
      const method_ = (object as Record<string, unknown>)[method];
      if (typeof method_ !== "function" || method === "constructor") {
        throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
      }
      return cloneValue(await method_.apply(object, cloned));
    });
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

/** Properties a stub answers itself; every other string property is an RPC method. */
const OWN = new Set(["id", "name", "fetch", "call"]);

/** Wraps a stub so that `stub.anyMethod(...)` is an RPC call. */
export function rpcStub<T extends DurableObjectStub>(stub: T): T {
  const functions = new Map<string, unknown>();
  return new Proxy(stub, {
    get(target, property) {
      // Symbols, and `then` (so a stub is never mistaken for a promise), are not RPC.
      if (typeof property === "symbol" || property === "constructor") return Reflect.get(target, property, target);
      if (property === "then" || property === "toJSON") return undefined;
      if (functions.has(property)) return functions.get(property);
      let value: unknown;
      if (OWN.has(property)) {
        value = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        value = value.bind(target);
      } else {
        value = (...args: unknown[]) => target.call(property, args);
      }
      functions.set(property, value);
      return value;
    },
  });
}
