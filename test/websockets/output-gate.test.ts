import { describe, expect, it, vi } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { messagesOf, nextClose, until } from "../helpers/websockets.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import type { DurableObjectState } from "../../src/objects/state.js";
import { WebSocketPair, type WebSocket } from "../../src/objects/websockets/websocket.js";
import { responseWithWebSockets } from "../../src/worker/websocket-globals.js";

const ResponseWithSockets = responseWithWebSockets(Response);

/**
 * On "write X" it stores X without awaiting and sends "stored X" at once,
 * the way production code does; "close" stores, then closes; "hello" only
 * sends. Sockets are accepted for hibernation (hibernate) or with accept() (plain).
 */
class Room {
  constructor(private readonly state: DurableObjectState) {}
  fetch(request: Request): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    if (new URL(request.url).pathname === "/plain") {
      server.accept();
      server.addEventListener("message", (event) => this.#answer(server, String((event as MessageEvent).data)));
    } else {
      this.state.acceptWebSocket(server);
    }
    return new ResponseWithSockets(null, { status: 101, webSocket: client } as ResponseInit);
  }
  webSocketMessage(ws: WebSocket, message: string): void {
    this.#answer(ws, message);
  }
  #answer(ws: WebSocket, message: string): void {
    if (message === "hello") return ws.send("hello back");
    void this.state.storage.put("last", message);
    if (message === "close") ws.close(4000, "stored");
    else ws.send(`stored ${message}`);
  }
}

async function connect(path: "/" | "/plain") {
  const backend = new SlowBackend(new MemoryBackend(), 0);
  const { runtime, ns } = runtimeWith({ Room }, { backend });
  const stub = ns("Room").getByName("r");
  const response = await stub.fetch(`http://x${path}`);
  const ws = (response as unknown as { webSocket: WebSocket }).webSocket;
  ws.accept();
  return { backend, runtime, ws, received: messagesOf(ws) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

for (const path of ["/", "/plain"] as const) {
  describe(`ws.send from an object waits for its output gate (${path === "/" ? "acceptWebSocket" : "accept()"})`, () => {
    it("a message sent after a storage write leaves only once the write is confirmed; one with no write pending leaves at once", async () => {
      const { backend, ws, received } = await connect(path);
      backend.holdWrites = true;
      ws.send("write 1");
      ws.send("hello");
      await until(() => backend.held.length === 1);
      await settle();
      // "hello back" was sent while the write was pending: it waits behind "stored 1", in order.
      expect(received).toEqual([]);
      backend.releaseWrites();
      await until(() => received.length === 2);
      expect(received).toEqual(["stored write 1", "hello back"]);
      backend.holdWrites = false;
      ws.send("hello");
      await until(() => received.length === 3);
      expect(received[2]).toBe("hello back");
    });

    it("close() after a write waits for it too", async () => {
      const { backend, ws } = await connect(path);
      backend.holdWrites = true;
      let closed = false;
      const close = nextClose(ws).then((details) => ((closed = true), details));
      ws.send("close");
      await until(() => backend.held.length === 1);
      await settle();
      expect(closed).toBe(false);
      backend.releaseWrites();
      expect(await close).toMatchObject({ code: 4000, reason: "stored" });
    });

    it("a message whose write fails never leaves (the object is reset, as a broken output gate does)", async () => {
      const { backend, runtime, ws, received } = await connect(path);
      const before = runtime.liveInstance(runtime.namespace("test#Room").idFromName("r"));
      // The failed event is logged as production logs it; kept out of the test's output.
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      backend.failNextWrite = new Error("disk on fire");
      ws.send("write lost");
      await until(() => runtime.liveInstance(runtime.namespace("test#Room").idFromName("r")) !== before);
      await settle();
      expect(received).not.toContain("stored write lost");
      logged.mockRestore();
    });
  });
}
