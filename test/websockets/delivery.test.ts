import { afterEach, describe, expect, it } from "vitest";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { WebSocket as NodeWebSocket, WebSocketServer } from "ws";
import { Durabox } from "../../src/index.js";
import { serve } from "../../src/cli/server.js";
import type { WebSocket } from "../../src/objects/websockets/websocket.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import type { DurableObjectNamespace } from "../../src/index.js";
import { nextEvent } from "../helpers/websockets.js";

/**
 * workerd dispatches each incoming WebSocket message as a task of its own:
 * code that awaits one message and only then adds a listener for the next
 * still gets it. These tests send messages back to back (one turn, or one
 * TCP write) and read them that way.
 */

/**
 * An object whose "burst" sends three messages in one turn; on `/plain`
 * it accept()s the socket and reads two messages with one listener each,
 * added after the previous one fired, and answers what it read.
 */
const script = `
  import { DurableObject } from "cloudflare:workers";
  const next = (ws) => new Promise((resolve) => ws.addEventListener("message", (event) => resolve(event.data), { once: true }));
  export class Room extends DurableObject {
    async fetch(request) {
      const { 0: client, 1: server } = new WebSocketPair();
      if (new URL(request.url).pathname === "/plain") {
        server.accept();
        (async () => {
          const first = await next(server);
          const second = await next(server);
          server.send("read " + first + "," + second);
        })();
      } else {
        this.ctx.acceptWebSocket(server);
      }
      return new Response(null, { status: 101, webSocket: client });
    }
    webSocketMessage(ws, message) {
      if (message === "burst") for (const part of ["one", "two", "three"]) ws.send(part);
    }
  }
  export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname === "/outgoing") {
        // A WebSocket this worker opens to a real server, which sends two messages in one write.
        const response = await fetch("http://" + url.searchParams.get("target") + "/", { headers: { Upgrade: "websocket" } });
        const socket = response.webSocket;
        socket.accept();
        const first = await next(socket);
        const second = await next(socket);
        socket.close(1000);
        return Response.json([first, second]);
      }
      return env.ROOM.getByName("a").fetch(request);
    }
  };
`;

let mf: Durabox | undefined;
let runtime: TestRuntime | undefined;
let server: Server | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (wss === undefined ? resolve() : wss.close(() => resolve())));
  await mf?.dispose();
  await runtime?.dispose();
  mf = runtime = server = wss = undefined;
});

/** Reads `count` messages, adding each listener only after the previous message arrived. */
async function readOneByOne(ws: WebSocket, count: number): Promise<unknown[]> {
  const read: unknown[] = [];
  for (let i = 0; i < count; i++) read.push((await nextEvent<MessageEvent>(ws, "message", 500)).data);
  return read;
}

describe("WebSocket messages are dispatched one per task", () => {
  it("the client end from connectWebSocket: a listener added after the first message gets the second", async () => {
    runtime = new TestRuntime({ script, durableObjects: { ROOM: "Room" } });
    const stub = (runtime.env.ROOM as DurableObjectNamespace).getByName("a");
    const ws = await runtime.connectWebSocket(stub, "/");
    ws.send("burst");
    expect(await readOneByOne(ws, 3)).toEqual(["one", "two", "three"]);
  });

  it("the client end of a fetch upgrade, accepted by the caller: the same", async () => {
    mf = new Durabox({ script, durableObjects: { ROOM: "Room" } });
    const response = await mf.dispatchFetch("http://localhost/", { headers: { Upgrade: "websocket" } });
    const ws = (response as unknown as { webSocket: WebSocket }).webSocket;
    ws.accept();
    ws.send("burst");
    expect(await readOneByOne(ws, 3)).toEqual(["one", "two", "three"]);
  });

  it("an object's accept()ed socket behind the CLI server: two messages in one TCP write are read one by one", async () => {
    mf = new Durabox({ script, durableObjects: { ROOM: "Room" } });
    await mf.ready;
    server = serve(mf, { info: () => {}, error: () => {} });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const client = new NodeWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/plain`);
    await once(client, "open");
    const reply = once(client, "message", { signal: AbortSignal.timeout(2000) });
    // Corked: both frames leave in one write, so they reach the server in one chunk.
    const socket = (client as unknown as { _socket: import("node:net").Socket })._socket;
    socket.cork();
    client.send("a");
    client.send("b");
    socket.uncork();
    expect(String((await reply)[0])).toBe("read a,b");
    client.close();
  }, 5000);

  it("a WebSocket worker code opens to a real server: two messages in one write are read one by one", async () => {
    wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    wss.on("connection", (socket) => {
      const raw = (socket as unknown as { _socket: import("node:net").Socket })._socket;
      raw.cork();
      socket.send("first");
      socket.send("second");
      raw.uncork();
    });
    await once(wss, "listening");
    mf = new Durabox({ script, durableObjects: { ROOM: "Room" } });
    const target = `127.0.0.1:${(wss.address() as AddressInfo).port}`;
    expect(await mf.dispatchFetch(`http://localhost/outgoing?target=${target}`).json()).toEqual(["first", "second"]);
  }, 5000);
});
