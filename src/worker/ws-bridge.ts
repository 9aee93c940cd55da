import type { WebSocket as NodeWebSocket } from "ws";
import type { Frame, FrameSink } from "../objects/websockets/socket-core.js";
import { nodeRequire } from "../base/node-require.js";
import { MAX_MESSAGE_BYTES } from "../objects/websockets/limits.js";

export type WsModule = typeof import("ws");

/** The `ws` package, loaded on first use (only WebSocket connections over the network need it). */
export function loadWs(): WsModule {
  return nodeRequire("ws") as WsModule;
}

/** Largest message a Workers WebSocket receives from the network (production: 32 MiB). */
export const MAX_PAYLOAD = MAX_MESSAGE_BYTES;

/** Bytes from `ws` (Node's realm) as an ArrayBuffer of this realm (a test runner's vm context may differ). */
function toArrayBuffer(data: Buffer | ArrayBuffer | Buffer[]): ArrayBuffer {
  const chunks = Array.isArray(data) ? data : [data instanceof ArrayBuffer ? Buffer.from(data) : data];
  const size = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const copy = new ArrayBuffer(size);
  const view = new Uint8Array(copy);
  let offset = 0;
  for (const chunk of chunks) {
    view.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return copy;
}

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString("utf8");
}

const OPEN = 1;
const CLOSING = 2;

/**
 * Joins a network WebSocket (`ws`) to a Workers socket: what arrives from
 * the network goes to `toWorkers` as frames, and the returned sink sends
 * the Workers side's frames out. A connection that drops without a Close
 * frame is an "abort" (the Workers side sees 1006).
 */
export function bridge(socket: NodeWebSocket, toWorkers: FrameSink): FrameSink {
  socket.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    toWorkers.deliver({ kind: "message", data: isBinary ? toArrayBuffer(data) : textOf(data) });
  });
  socket.on("close", (code: number, reason: Buffer) => {
    toWorkers.deliver(code === 1006 ? { kind: "abort" } : { kind: "close", code, reason: reason.toString("utf8") });
  });
  socket.on("error", (error: Error) => toWorkers.deliver({ kind: "error", error }));
  return {
    deliver(frame: Frame): void {
      switch (frame.kind) {
        case "message":
          if (socket.readyState === OPEN) socket.send(typeof frame.data === "string" ? frame.data : new Uint8Array(frame.data));
          return;
        case "close":
          if (socket.readyState === OPEN || socket.readyState === CLOSING) {
            // 1005 means "no code": a Close frame without a body.
            if (frame.code === 1005) socket.close();
            else socket.close(frame.code, frame.reason);
          } else {
            socket.terminate();
          }
          return;
        case "abort":
        case "error":
          socket.terminate();
          return;
      }
    },
  };
}
