// 10b. 1,000 WebSockets accepted by one object, in-process (dispatchFetch, both ends in this process): the
// heap they take, per socket, after a full GC, and the time to open them. durabox accepts them for hibernation
// (ctx.acceptWebSocket); Miniflare 2 with accept() (no hibernation).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ECHO_WORKER } from "../lib/ws-servers.mjs";

const SOCKETS = 1000;
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

function heap() {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

export async function run(Runtime) {
  const mf = new Runtime({ scriptPath: ECHO_WORKER, modules: true, durableObjects: { ECHO: "Echo" } });
  // One socket first: the object, the worker and their code are not counted.
  const first = (await mf.dispatchFetch("http://localhost/", { headers: { Upgrade: "websocket" } })).webSocket;
  first.accept();
  const sockets = [first];
  const before = heap();
  const started = performance.now();
  for (let i = 0; i < SOCKETS; i++) {
    const response = await mf.dispatchFetch("http://localhost/", { headers: { Upgrade: "websocket" } });
    response.webSocket.accept();
    sockets.push(response.webSocket);
  }
  const openMs = performance.now() - started;
  const after = heap();
  // Every socket still answers.
  const last = sockets.at(-1);
  await new Promise((resolve) => {
    last.addEventListener("message", resolve, { once: true });
    last.send("still there?");
  });
  const result = { bytesPerSocket: (after - before) / SOCKETS, openMs, sockets: sockets.length };
  for (const socket of sockets) socket.close(1000, "done");
  await mf.dispose();
  return result;
}
