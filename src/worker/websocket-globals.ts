import { findCore, RequestResponsePair, WebSocket, WebSocketPair } from "../objects/websockets/websocket.js";
import { fetchWithUpgrade } from "./outgoing-websocket.js";
import { processNullGetter, realmShared } from "../base/shared-state.js";

type ResponseClass = typeof globalThis.Response;
type Init = (ResponseInit & { webSocket?: unknown }) | undefined;

/**
 * What was made, shared by every copy of durabox in the realm (as the
 * WebSocket classes are), so a realm's globals are wrapped once whichever
 * copy installs them.
 */
const made = realmShared("websocketGlobals", () => ({
  withSockets: new WeakMap<ResponseClass, ResponseClass>(),
  proxies: new WeakSet<object>(),
  fetches: new WeakMap<object, typeof globalThis.fetch>(),
  ours: new WeakSet<object>(),
}));
const { withSockets, proxies, fetches, ours } = made;

/**
 * `Response` as Workers have it: `new Response(null, { status: 101,
 * webSocket })` is allowed (the platform refuses status 101), and such a
 * response carries `webSocket`. A Proxy over the platform class, so every
 * response stays a platform Response (instanceof, static methods).
 */
export function responseWithWebSockets(Base: ResponseClass): ResponseClass {
  const known = withSockets.get(Base);
  if (known !== undefined) return known;
  // Already one of ours (a test realm whose globals were installed before).
  if (proxies.has(Base)) return Base;
  nullWebSocketOnEveryResponse(Base);
  const proxy: ResponseClass = new Proxy(Base, {
    construct(target, args: unknown[], newTarget) {
      const init = args[1] as Init;
      const webSocket = init?.webSocket;
      const constructing = newTarget === proxy ? target : newTarget;
      if (webSocket === undefined || webSocket === null) {
        if (init?.status === 101) {
          throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
        }
        return Reflect.construct(target, args, constructing) as object;
      }
      if (findCore(webSocket) === undefined) throw new TypeError("Response's webSocket must be a WebSocket, from new WebSocketPair().");
      if (init?.status !== 101) throw new RangeError("Responses with a WebSocket must have status code 101.");
      // Without webSocket below: the class under this one may be one of these proxies too.
      const { webSocket: _socket, ...platformInit } = init;
      const response = Reflect.construct(target, [args[0], { ...platformInit, status: 200 }], constructing) as object;
      Object.defineProperties(response, {
        status: { value: 101, enumerable: true },
        ok: { value: false, enumerable: true },
        webSocket: { value: webSocket, enumerable: true },
      });
      return response;
    },
  });
  withSockets.set(Base, proxy);
  proxies.add(proxy);
  return proxy;
}

/**
 * Workers' Response has `webSocket`, null unless the response is an upgrade:
 * a getter on the platform's own Response.prototype (the root of `Base`'s
 * chain), so responses made by `Response.json()`, `clone()` or `fetch()`
 * have it too. An upgrade response's own `webSocket` shadows it.
 */
function nullWebSocketOnEveryResponse(Base: ResponseClass): void {
  let prototype = Base.prototype as object;
  for (
    let parent = Object.getPrototypeOf(prototype) as object | null;
    parent !== null;
    parent = Object.getPrototypeOf(parent) as object | null
  ) {
    if (Object.getPrototypeOf(parent) === null) break;
    prototype = parent;
  }
  if (Object.hasOwn(prototype, "webSocket")) return;
  // The getter is Node's realm's: the prototype outlives every test realm.
  Object.defineProperty(prototype, "webSocket", { get: processNullGetter(), configurable: true, enumerable: false });
}

/**
 * The Workers WebSocket globals: `WebSocket` (the Workers class: `new
 * WebSocket(url)` connects out), `WebSocketPair`,
 * `WebSocketRequestResponsePair`, a `Response` that carries a `webSocket`,
 * and a `fetch` that opens a WebSocket on `Upgrade: websocket`. For worker
 * code (evaluate.ts) and test files (the environments). `original` is the
 * platform's fetch (by default the global's, read now).
 */
export function webSocketGlobals(
  Base: ResponseClass,
  global: { fetch: typeof globalThis.fetch },
  original: typeof globalThis.fetch = global.fetch,
): Record<string, unknown> {
  const Response = responseWithWebSockets(Base);
  let fetch = fetches.get(global);
  if (fetch === undefined) {
    // The global's fetch when called, so a test's mock of it (vi.spyOn(globalThis, "fetch")) applies.
    fetch = fetchWithUpgrade(() => (ours.has(global.fetch) ? original : global.fetch), Response);
    ours.add(fetch);
    fetches.set(global, fetch);
  }
  return { WebSocket, WebSocketPair, WebSocketRequestResponsePair: RequestResponsePair, Response, fetch };
}
