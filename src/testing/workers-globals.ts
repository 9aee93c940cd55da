import { lazyGlobal } from "../base/lazy-global.js";
import { RequestResponsePair, WebSocket, WebSocketPair } from "../objects/websockets/websocket.js";
import { webSocketGlobals } from "../worker/websocket-globals.js";

/**
 * Puts the Workers globals that Node lacks (or has in another form) on a
 * test file's global object: `WebSocketPair`, the Workers `WebSocket`,
 * `WebSocketRequestResponsePair`, a `Response` that carries a `webSocket`
 * (status 101) and a `fetch` that opens WebSockets. Worker code loaded
 * through the test runner sees the test file's globals, so it needs them
 * there as much as the tests do. With `lazy` (Vitest, where each file may
 * be a new process), `Response` and `fetch` are wrapped on first read
 * (`lazyGlobal`): reading either loads Node's fetch, which a test file that
 * makes no request or response should not pay for. Jest's worker loads it
 * once for all its files, and its vm context's global keeps jest-environment-
 * node's own lazy getters for these names, so there they are wrapped at once.
 */
export function installWebSocketGlobals(global: object, { lazy = false }: { lazy?: boolean } = {}): void {
  for (const [name, value] of Object.entries({ WebSocket, WebSocketPair, WebSocketRequestResponsePair: RequestResponsePair })) {
    Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value });
  }
  // The platform's own, read through the descriptors the accessors below replace.
  const platform = new Map(["Response", "fetch"].map((name) => [name, Object.getOwnPropertyDescriptor(global, name)]));
  const read = (name: string): unknown => {
    const descriptor = platform.get(name);
    return descriptor?.get !== undefined ? descriptor.get.call(global) : descriptor?.value;
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
