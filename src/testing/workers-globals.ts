import { lazyGlobal } from "../base/lazy-global.js";
import { deferPlatformGlobals, needPlatformGlobals } from "../base/platform-globals.js";
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
export function installWebSocketGlobals(
  global: object,
  { lazy = false, deferPlatform = false }: { lazy?: boolean; deferPlatform?: boolean } = {},
): void {
  for (const [name, value] of Object.entries({ WebSocket, WebSocketPair, WebSocketRequestResponsePair: RequestResponsePair })) {
    // Deleted first: defining over Node 22+'s own WebSocket (made on first touch) would load its fetch.
    Reflect.deleteProperty(global, name);
    Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value });
  }
  // The platform's own, read through the descriptors the accessors below replace.
  const platform = new Map<string, PropertyDescriptor | undefined>();
  const capture = (name: string): void => void platform.set(name, Object.getOwnPropertyDescriptor(global, name));
  capture("fetch");
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
    capture("Response");
    for (const name of ["Response", "fetch"]) {
      Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value: wrapped()[name] });
    }
    return;
  }
  const installResponse = (): void => {
    capture("Response");
    lazyGlobal(global, "Response", () => wrapped().Response);
  };
  // Deferred: touching Response at all loads Node's fetch on Node 22+ (see base/platform-globals.ts).
  if (deferPlatform) deferPlatformGlobals(global, installResponse);
  else installResponse();
  lazyGlobal(global, "fetch", () => {
    needPlatformGlobals(global);
    return wrapped().fetch;
  });
}
