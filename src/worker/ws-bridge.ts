import type { WebSocket as NodeWebSocket } from "ws";
import type { Frame, FrameSink } from "../objects/websockets/socket-core.js";
import { nodeRequire } from "../base/node-require.js";
import { MAX_MESSAGE_BYTES } from "../objects/websockets/limits.js";
import { realSetTimeout } from "../base/clock.js";

export type WsModule = typeof import("ws");

/** The `ws` package, loaded on first use (only WebSocket connections over the network need it). */
export function loadWs(): WsModule {
  return nodeRequire("ws") as WsModule;
}

/** Largest message a Workers WebSocket receives from the network (production: 32 MiB). */
export const MAX_PAYLOAD = MAX_MESSAGE_BYTES;

/**
 * Bytes that may wait to be sent to a peer that does not read (beyond one
 * message, whatever its size): past them the connection is closed (1011)
 * rather than memory growing without bound.
 */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** How long a peer that does not read gets to take the Close frame before the connection is dropped. */
const CLOSE_GRACE_MS = 1000;
const SLOW_READER = "The peer did not read its messages: more than 16 MiB waited to be sent.";

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

function byteSize(data: string | ArrayBuffer): number {
  return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * Joins a network WebSocket (`ws`) to a Workers socket: what arrives from
 * the network goes to `toWorkers` as frames, and the returned sink sends
 * the Workers side's frames out. A connection that drops without a Close
 * frame is an "abort" (the Workers side sees 1006). A peer that lets more
 * than MAX_BUFFERED_BYTES wait is closed with 1011, then dropped.
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
        case "message": {
          if (socket.readyState !== OPEN) return;
          const waiting = socket.bufferedAmount;
          if (waiting > 0 && waiting + byteSize(frame.data) > MAX_BUFFERED_BYTES) {
            socket.close(1011, SLOW_READER);
            realSetTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
            return;
          }
          socket.send(typeof frame.data === "string" ? frame.data : new Uint8Array(frame.data));
          return;
        }
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
