import { webSocketGlobals } from "../worker/websocket-globals.js";

/**
 * Puts the Workers globals that Node lacks (or has in another form) on a
 * test file's global object: `WebSocketPair`, the Workers `WebSocket`,
 * `WebSocketRequestResponsePair`, a `Response` that carries a `webSocket`
 * (status 101) and a `fetch` that opens WebSockets. Worker code loaded
 * through the test runner sees the test file's globals, so it needs them
 * there as much as the tests do.
 */
export function installWebSocketGlobals(global: object): void {
  const target = global as { Response: typeof Response; fetch: typeof fetch };
  for (const [name, value] of Object.entries(webSocketGlobals(target.Response, target))) {
    Object.defineProperty(global, name, { configurable: true, enumerable: false, writable: true, value });
  }
}
