import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Durabox } from "../durabox.js";
import { findCore } from "../objects/websockets/websocket.js";
import type { Frame, FrameSink } from "../objects/websockets/socket-core.js";
import { bridge, loadWs, MAX_PAYLOAD } from "../worker/ws-bridge.js";

/** What the upgrade handler needs from the server: its request conversion and its log. */
export interface UpgradeContext {
  readonly mf: Durabox;
  toRequest(req: IncomingMessage): Request;
  done(status: number): void;
  error(text: string): void;
}

/** A base64 encoding of 16 bytes, as RFC 6455 §4.1 asks of Sec-WebSocket-Key. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Why the WebSocket handshake of `req` cannot succeed (RFC 6455 §4.2.1), as
 * the `ws` server would refuse it; undefined when it can. Checked before the
 * worker sees the request, so no object accepts a socket that never connects.
 */
function handshakeRefusal(req: IncomingMessage): { status: number; text: string; headers?: Record<string, string> } | undefined {
  if (req.method !== "GET") return { status: 405, text: "Invalid HTTP method" };
  if (req.headers.upgrade?.toLowerCase() !== "websocket") return { status: 400, text: "Invalid Upgrade header" };
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key.trim())) return { status: 400, text: "Missing or invalid Sec-WebSocket-Key header" };
  const version = req.headers["sec-websocket-version"];
  if (version !== "13" && version !== "8") {
    return { status: 400, text: "Missing or invalid Sec-WebSocket-Version header", headers: { "sec-websocket-version": "13, 8" } };
  }
  return undefined;
}

/** A Response that did not switch protocols, written on the raw connection (node:http has no response object here). */
async function writePlainResponse(socket: Duplex, response: Response): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${response.statusText || (STATUS_CODES[response.status] ?? "")}`];
  for (const [name, value] of response.headers) if (name !== "content-length" && name !== "connection") lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
}

/**
 * An `Upgrade: websocket` request: it goes to the worker's fetch handler
 * like any other; a `101` response's `webSocket` (the client end of the
 * object's pair) is then coupled to the network connection, so a real
 * WebSocket client talks to the object. Any other response is written as
 * is and the connection closed. A handshake that cannot succeed is refused
 * before the worker sees it; a connection gone before the 101 drops the
 * object's end (1006), so no socket stays OPEN without a client.
 */
export function handleUpgrade(context: UpgradeContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", () => socket.destroy());
  const refused = handshakeRefusal(req);
  if (refused !== undefined) {
    const response = new Response(refused.text, { status: refused.status, headers: { "content-type": "text/plain", ...refused.headers } });
    void writePlainResponse(socket, response).catch(() => socket.destroy());
    context.done(refused.status);
    return;
  }
  let upgraded = false;
  context.mf
    .dispatchFetch(context.toRequest(req))
    .then(async (response) => {
      const core = response.status === 101 ? findCore((response as { webSocket?: unknown }).webSocket) : undefined;
      if (core === undefined) {
        await writePlainResponse(socket, response);
        context.done(response.status);
        return;
      }
      // Frames the object sends before the handshake completes wait for it.
      const early: Frame[] = [];
      let network: FrameSink | undefined;
      const toObject = core.couple({ deliver: (frame) => (network === undefined ? early.push(frame) : network.deliver(frame)) });
      const protocol = response.headers.get("sec-websocket-protocol");
      const { WebSocketServer } = loadWs();
      const server = new WebSocketServer({
        noServer: true,
        maxPayload: MAX_PAYLOAD,
        handleProtocols: () => protocol ?? false,
      });
      // The connection ended before the handshake completed: the object's end is dropped (1006), not left OPEN.
      const gone = (): void => {
        if (!upgraded) toObject.deliver({ kind: "abort" });
      };
      if (socket.destroyed) return gone();
      socket.once("close", gone);
      server.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        socket.off("close", gone);
        network = bridge(ws, toObject);
        for (const frame of early.splice(0)) network.deliver(frame);
        context.done(101);
      });
    })
    .catch((error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      context.error(text);
      void writePlainResponse(socket, new Response(text, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } })).catch(
        () => socket.destroy(),
      );
      context.done(500);
    });
}
