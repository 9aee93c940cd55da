// 10a. WebSocket messages per second echoed by an object over loopback: a `ws` client keeps a window of
// messages in flight to durabox's CLI server (echoed by webSocketMessage), Miniflare 2's (echoed by a
// message listener on an accept()ed socket: it has no hibernation) and the floor, a raw `ws` echo server.
import { createRequire } from "node:module";
import { startEchoServer } from "../lib/ws-servers.mjs";

const { WebSocket } = createRequire(import.meta.url)("ws");
const MESSAGE = "x".repeat(32);
const WINDOW = 64;

/** Echoed messages per second over `ms`, with `WINDOW` messages in flight. */
function echoRate(ws, ms) {
  return new Promise((resolve) => {
    let echoed = 0;
    let done = false;
    const started = performance.now();
    const latencies = [];
    const sentAt = [];
    let result;
    ws.on("message", () => {
      echoed++;
      latencies.push(performance.now() - sentAt.shift());
      // Measured, then the messages still in flight drain, so the next measurement starts with none.
      if (done) {
        if (sentAt.length === 0) resolve(result);
        return;
      }
      if (performance.now() - started >= ms) {
        done = true;
        const seconds = (performance.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        const meanMs = latencies.reduce((a, b) => a + b, 0) / latencies.length;
        result = { opsPerSec: echoed / seconds, meanMs, p99Ms: latencies[Math.floor(latencies.length * 0.99)] };
        if (sentAt.length === 0) resolve(result);
        return;
      }
      sentAt.push(performance.now());
      ws.send(MESSAGE);
    });
    for (let i = 0; i < WINDOW; i++) {
      sentAt.push(performance.now());
      ws.send(MESSAGE);
    }
  });
}

export async function run(_Runtime, { runtime }) {
  const server = await startEchoServer(runtime);
  try {
    const ws = new WebSocket(server.url);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    await echoRate(ws, 500); // warm-up
    ws.removeAllListeners("message");
    const result = await echoRate(ws, 2000);
    ws.terminate();
    return result;
  } finally {
    await server.stop();
  }
}
