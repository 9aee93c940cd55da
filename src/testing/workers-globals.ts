import { lazyGlobal } from "../base/lazy-global.js";
import { RequestResponsePair, WebSocket, WebSocketPair } from "../objects/websockets/websocket.js";
import { webSocketGlobals } from "../worker/websocket-globals.js";

/**
 * Puts the Workers globals that Node lacks (or has in another form) on a
 * test file's global object: `WebSocketPair`, the Workers `WebSocket`,
 * `WebSocketRequestResponsePair`, a `Response` that carries a `webSocket`
 * (status 101) and a `fetch` that opens WebSockets. Worker code loaded
 * through the test runner sees the test file's globals, so it needs them
 * there as much as the tests do. With `lazy` (both environments), `Response`
 * and `fetch` are wrapped on first read (`lazyGlobal`): reading either loads
 * Node's fetch, which a test file that makes no request or response should
 * not pay for.
 */
export function installWebSocketGlobals(global: object, { lazy = false }: { lazy?: boolean } = {}): void {
  for (const [name, value] of Object.entries({ WebSocket, WebSocketPair, WebSocketRequestResponsePair: RequestResponsePair })) {
    Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value });
  }
  // The platform's own, read through the descriptors the accessors below replace.
  const platform = new Map(["Response", "fetch"].map((name) => [name, Object.getOwnPropertyDescriptor(global, name)]));
  // Wrapping one of the pair reads both. A platform getter may replace itself with its value on first read
  // (jest-environment-node's lazy globals do): that must not put the platform's fetch over the lazy
  // wrapper still to come when Response is read first, nor its Response when fetch is.
  const read = (name: string): unknown => {
    const descriptor = platform.get(name);
    if (descriptor?.get === undefined) return descriptor?.value;
    const installed = Object.getOwnPropertyDescriptor(global, name);
    const value: unknown = descriptor.get.call(global);
    if (installed !== undefined) Object.defineProperty(global, name, installed);
    return value;
  };
  let made: Record<string, unknown> | undefined;
  const wrapped = (): Record<string, unknown> =>
    (made ??= webSocketGlobals(read("Response") as typeof Response, global as { fetch: typeof fetch }, read("fetch") as typeof fetch));
  if (!lazy) {
    for (const name of ["Response", "fetch"]) {
      Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value: wrapped()[name] });
    }
    return;
  }
  lazyGlobal(global, "Response", () => wrapped().Response);
  lazyGlobal(global, "fetch", () => wrapped().fetch);
}
