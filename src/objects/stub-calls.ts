import { needPlatformGlobals } from "../base/platform-globals.js";
import { nextDepth } from "../rpc/context.js";
import { DuraboxError } from "../base/errors.js";
import { rpcProperty } from "../rpc/pipeline.js";
import { markHandle } from "../rpc/registry.js";
import { callerFor } from "../rpc/stub.js";
import type { TargetRef } from "../rpc/target.js";
import type { Awaitable } from "../base/awaitable.js";

// What every stub shares (an object's, a facet's): fetch() delivered as a Request, and the RPC proxy.

/** Relative URLs resolve against this, as production's stubs did before full URLs were required. */
const BASE_URL = "https://fake-host";

/** @internal A fetch() argument pair as one Request (relative URLs against a fake host, as production did). */
export function toRequest(input: Request | string | URL, init?: RequestInit): Request {
  needPlatformGlobals();
  if (input instanceof Request && init === undefined) return input;
  if (typeof input === "string" || input instanceof URL) input = new URL(input, BASE_URL);
  // A streamed body passes through as a stream, never buffered here.
  if (init?.body instanceof ReadableStream && !("duplex" in init)) init = { ...init, duplex: "half" } as RequestInit;
  return new Request(input, init);
}

/** @internal A stub's fetch(): the request delivered to the object's fetch() handler under its gates. */
export function deliverFetch(
  instanceNow: () => FetchTarget | Promise<FetchTarget>,
  input: Request | string | URL,
  init?: RequestInit,
): Promise<Response> {
  let depth: number;
  let request: Request;
  let found: FetchTarget | Promise<FetchTarget>;
  try {
    depth = nextDepth();
    request = toRequest(input, init);
    found = instanceNow();
  } catch (error) {
    return Promise.reject(error);
  }
  const deliver = (instance: FetchTarget): Promise<Response> => {
    instance.announce("fetch", () => `${request.method} ${new URL(request.url).pathname}`);
    return instance.deliver(
      depth,
      (object) => {
        const handler = (object as { fetch?: unknown }).fetch;
        if (typeof handler !== "function") {
          throw new DuraboxError(
            "ERR_NO_HANDLER",
            `The Durable Object class ${object.constructor.name} has no fetch() handler, so stub.fetch() cannot reach it. Add fetch(request) to the class, or call its methods over RPC.`,
          );
        }
        return Promise.resolve(handler.call(object, request)).then(checkResponse);
      },
      fetchCall,
    );
  };
  return found instanceof Promise ? found.then(deliver) : deliver(found);
}

/** What a fetch() is delivered to: an object's live instance (objects/instance.ts). */
interface FetchTarget {
  announce(type: "fetch", detail?: () => string | undefined): void;
  deliver<T>(depth: number, event: (object: object) => Awaitable<T>, call?: () => string): Promise<T>;
}

const fetchCall = (): string => "fetch";

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
const OWN = ["id", "name", "fetch"];

/** Wraps a stub so that `stub.anyMethod(...)` and `await stub.property` are RPC; `own` names what the stub answers itself. */
export function rpcStub<T extends { readonly rpcTarget: TargetRef }>(stub: T, own: readonly string[] = OWN, handle = true): T {
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
      if (own.includes(property)) {
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
  return handle ? markHandle(proxy) : proxy;
}
