import type { IncomingMessage } from "node:http";
import { setOutgoingConnector, socketSendingTo } from "../objects/websockets/websocket.js";
import type { FrameSink, SocketCore } from "../objects/websockets/socket-core.js";
import { bridge, loadWs, MAX_PAYLOAD } from "./ws-bridge.js";

/** Headers the WebSocket handshake sets itself. */
const HANDSHAKE_HEADERS = new Set([
  "upgrade",
  "connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "host",
]);

/** `new WebSocket(url)` in worker code: connects with `ws`; accepted on open, as production's outgoing sockets are. */
function connect(core: SocketCore, url: string, protocols: string[]): void {
  const { WebSocket: NodeWebSocket } = loadWs();
  const socket = new NodeWebSocket(url, protocols, { maxPayload: MAX_PAYLOAD });
  let open = false;
  const sink = bridge(socket, {
    deliver: (frame) => {
      if (open) core.receive(frame);
      else if (frame.kind === "error") core.fail(frame.error, "Failed to establish websocket connection");
    },
  });
  core.link(sink);
  socket.once("open", () => {
    open = true;
    core.opened(socket.protocol, socket.extensions);
  });
}

setOutgoingConnector(connect);

/**
 * The `fetch` worker code sees: the platform's, except that a request with
 * `Upgrade: websocket` opens a WebSocket connection and resolves to a `101`
 * response whose `webSocket` the caller must accept(), as in production. A
 * server that does not switch protocols answers as a normal response.
 */
export function fetchWithUpgrade(platformFetch: () => typeof fetch, ResponseClass: typeof Response): typeof fetch {
  const upgradingFetch = (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    // The header is read without building a Request: a copy of a Request with a body would use the body up.
    let request: Request;
    try {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      if (headers.get("upgrade")?.toLowerCase() !== "websocket") return platformFetch()(input, init);
      request = new Request(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
    return upgrade(request, ResponseClass);
  };
  return upgradingFetch as typeof fetch;
}

function upgrade(request: Request, ResponseClass: typeof Response): Promise<Response> {
  const { WebSocket: NodeWebSocket } = loadWs();
  const url = new URL(request.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) if (!HANDSHAKE_HEADERS.has(name)) headers[name] = value;
  const protocols =
    request.headers
      .get("sec-websocket-protocol")
      ?.split(",")
      .map((p) => p.trim()) ?? [];
  return new Promise<Response>((resolve, reject) => {
    const socket = new NodeWebSocket(url.href, protocols, { headers, maxPayload: MAX_PAYLOAD });
    let toCore: FrameSink | undefined;
    const sink = bridge(socket, { deliver: (frame) => toCore?.deliver(frame) });
    socket.once("open", () => {
      const core = socketSendingTo(sink);
      core.protocol = socket.protocol;
      core.extensions = socket.extensions;
      toCore = { deliver: (frame) => core.receive(frame) };
      const responseHeaders = new Headers();
      if (socket.protocol !== "") responseHeaders.set("sec-websocket-protocol", socket.protocol);
      resolve(new ResponseClass(null, { status: 101, headers: responseHeaders, webSocket: core.socket } as ResponseInit));
    });
    socket.once("unexpected-response", (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const responseHeaders = new Headers();
        for (let i = 0; i < response.rawHeaders.length; i += 2)
          responseHeaders.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
        const body = chunks.length === 0 ? null : new Uint8Array(Buffer.concat(chunks));
        resolve(
          new ResponseClass(body, {
            status: response.statusCode ?? 500,
            statusText: response.statusMessage ?? "",
            headers: responseHeaders,
          }),
        );
        socket.terminate();
      });
    });
    socket.once("error", (error) => {
      if (toCore === undefined) reject(new TypeError("fetch failed", { cause: error }));
    });
  });
}
