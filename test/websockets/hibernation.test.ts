import { afterEach, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import type { WebSocket } from "../../src/objects/websockets/websocket.js";
import { nextClose, nextEvent } from "../helpers/websockets.js";
import { roomScript, type RoomStats } from "./room-script.js";

let mf: Durabox | undefined;
afterEach(async () => {
  await mf?.dispose();
  mf = undefined;
});

function start(options: { compatibilityDate?: string } = {}): Durabox {
  mf = new Durabox({ script: roomScript, durableObjects: { ROOM: "Room" }, ...options });
  return mf;
}

async function connect(durabox: Durabox, query: string, path = "/"): Promise<WebSocket> {
  const response = await durabox.dispatchFetch(`http://localhost${path}?${query}`, { headers: { Upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const ws = (response as Response & { webSocket: WebSocket | null }).webSocket!;
  ws.accept();
  return ws;
}

async function stats(durabox: Durabox): Promise<RoomStats> {
  return durabox.dispatchFetch("/stats").json<RoomStats>();
}

async function roomId(durabox: Durabox, name = "lobby") {
  const ns = await durabox.getDurableObjectNamespace("ROOM");
  return ns.idFromName(name);
}

async function ask(ws: WebSocket, message: string): Promise<unknown> {
  const reply = nextEvent<MessageEvent>(ws, "message");
  ws.send(message);
  return (await reply).data;
}

describe("a 101 response carrying a WebSocket", () => {
  it("travels from the object through stub.fetch, the worker's fetch and dispatchFetch: the caller holds the client end", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada", "/plain");
    expect(await ask(ws, "hi")).toBe("echo:hi");
  });

  it("is refused without status 101, and status 101 without a WebSocket, with production's messages", async () => {
    const durabox = new Durabox({
      script: `
        export default {
          fetch(request) {
            const { 0: client } = new WebSocketPair();
            const errors = [];
            try { new Response(null, { status: 200, webSocket: client }); } catch (e) { errors.push(e.name + ": " + e.message); }
            try { new Response(null, { status: 101 }); } catch (e) { errors.push(e.name + ": " + e.message); }
            const ok = new Response(null, { status: 101, webSocket: client });
            errors.push(ok.status, ok.ok, ok.webSocket === client, ok instanceof Response);
            return Response.json(errors);
          }
        }`,
    });
    mf = durabox;
    expect(await durabox.dispatchFetch("/").json()).toEqual([
      "RangeError: Responses with a WebSocket must have status code 101.",
      "RangeError: Responses may only be constructed with status codes in the range 200 to 599, inclusive.",
      101,
      false,
      true,
      true,
    ]);
  });

  it("a Response that is not an upgrade has webSocket === null, in worker code and at the caller", async () => {
    const durabox = new Durabox({
      script: `
        export default {
          async fetch(request) {
            if (new URL(request.url).pathname === "/plain") return new Response("plain");
            const made = [new Response("x"), Response.json({}), Response.redirect("https://example.com/"), new Response("y").clone()];
            return Response.json(made.map((response) => response.webSocket === null));
          }
        }`,
    });
    mf = durabox;
    expect(await durabox.dispatchFetch("/").json()).toEqual([true, true, true, true]);
    expect((await durabox.dispatchFetch("/plain")) as unknown as { webSocket: unknown }).toHaveProperty("webSocket", null);
  });
});

describe("the hibernation API", () => {
  it("round trip: accept, evict, message: the constructor runs again and the attachment is intact", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada&tag=admin");
    expect(JSON.parse((await ask(ws, "whoami")) as string)).toEqual({ name: "ada", instance: 1, tags: ["ada", "admin"], sockets: 1 });
    expect(durabox.runtime.evict(await roomId(durabox))).toBe(true);
    expect((await stats(durabox)).constructed).toBe(1);
    // The next message constructs the object again; the socket, its tags and attachment were kept.
    expect(JSON.parse((await ask(ws, "whoami")) as string)).toEqual({ name: "ada", instance: 2, tags: ["ada", "admin"], sockets: 1 });
    expect(ws.readyState).toBe(1);
  });

  it("getWebSockets(tag) and broadcast reach every socket of the object", async () => {
    const durabox = start();
    const ada = await connect(durabox, "name=ada&tag=red");
    const bob = await connect(durabox, "name=bob&tag=blue");
    const heard = nextEvent<MessageEvent>(bob, "message");
    const echoed = nextEvent<MessageEvent>(ada, "message");
    ada.send("hello");
    expect((await heard).data).toBe("ada: hello");
    expect((await echoed).data).toBe("ada: hello");
    const id = await roomId(durabox);
    const stub = (await durabox.getDurableObjectNamespace("ROOM")).get(id);
    const counts = await durabox.runtime.instance(id).deliver(0, (_object) => {
      const state = durabox.runtime.instance(id).state;
      return [
        state.getWebSockets().length,
        state.getWebSockets("red").length,
        state.getWebSockets("blue").length,
        state.getWebSockets("none").length,
      ];
    });
    expect(counts).toEqual([2, 1, 1, 0]);
    expect(stub.id.toString()).toBe(id.toString());
  });

  it("webSocketMessage gets binary messages as ArrayBuffer", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada");
    const reply = (await ask(ws, new Uint8Array([1, 2, 3]) as unknown as string)) as ArrayBuffer;
    expect(reply).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(reply)]).toEqual([1, 2, 3]);
  });

  it("the auto-response answers without waking the object, and records its time", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada&auto=1");
    const id = await roomId(durabox);
    durabox.runtime.evict(id);
    const before = Date.now();
    expect(await ask(ws, "ping")).toBe("pong");
    const after = await stats(durabox);
    expect(after.constructed).toBe(1);
    expect(after.messages).toBe(0);
    const timestamp = await durabox.runtime.instance(id).deliver(0, () => {
      const state = durabox.runtime.instance(id).state;
      return state.getWebSocketAutoResponseTimestamp(state.getWebSockets()[0]!);
    });
    expect(timestamp).toBeInstanceOf(Date);
    expect(timestamp!.getTime()).toBeGreaterThanOrEqual(before - 1);
    // Anything else still reaches the handler.
    expect(await ask(ws, "hi")).toBe("ada: hi");
  });

  it("a client's close: webSocketClose sees CLOSING (2), and the client's close event comes once the object calls close()", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada");
    const closed = nextClose(ws);
    ws.close(4000, "leaving");
    expect(await closed).toEqual({ code: 4000, reason: "goodbye", wasClean: true });
    expect((await stats(durabox)).closes).toEqual([{ code: 4000, reason: "leaving", wasClean: true, readyState: 2, name: "ada" }]);
    // A closed socket leaves getWebSockets().
    const id = await roomId(durabox);
    expect(durabox.runtime.instance(id).state.getWebSockets()).toEqual([]);
  });

  it("the object's close() reaches the client as a close event with its code and reason", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada");
    const closed = nextClose(ws);
    ws.send("bye");
    expect(await closed).toEqual({ code: 4001, reason: "asked to leave", wasClean: true });
    expect(ws.readyState).toBe(3);
    // The client's reply closes the socket in both directions; webSocketClose still reads the attachment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await stats(durabox)).closes).toEqual([{ code: 4001, reason: "asked to leave", wasClean: true, readyState: 3, name: "ada" }]);
  });

  it('eviction with webSockets: "close": the client gets 1006 and webSocketClose is not called', async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada");
    await ask(ws, "whoami");
    const closed = nextClose(ws);
    durabox.runtime.evict(await roomId(durabox), { webSockets: "close" });
    expect(await closed).toEqual({ code: 1006, reason: "WebSocket disconnected without sending Close frame.", wasClean: false });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await stats(durabox)).closes).toEqual([]);
    const id = await roomId(durabox);
    expect(() => durabox.runtime.evict(id, { webSockets: "never" as "close" })).toThrow(
      new TypeError('The webSockets eviction option must be "hibernate" or "close", but it was "never".'),
    );
  });

  it("evictAll hibernates by default and closes with the option", async () => {
    const durabox = start();
    const a = await connect(durabox, "name=ada&room=a");
    const b = await connect(durabox, "name=bob&room=b");
    durabox.runtime.evictAll();
    expect(JSON.parse((await ask(a, "whoami")) as string)).toMatchObject({ name: "ada", instance: 3 });
    const closedA = nextClose(a);
    const closedB = nextClose(b);
    durabox.runtime.evictAll({ webSockets: "close" });
    expect((await closedA).code).toBe(1006);
    expect((await closedB).code).toBe(1006);
  });

  it("sockets accept()ed by an instance end with it (1006 to the client)", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada", "/plain");
    const closed = nextClose(ws);
    durabox.runtime.evict(await roomId(durabox));
    expect((await closed).code).toBe(1006);
  });

  it("dispose() closes every socket with 1001", async () => {
    const durabox = start();
    const ws = await connect(durabox, "name=ada");
    const closed = nextClose(ws);
    await durabox.dispose();
    mf = undefined;
    expect((await closed).code).toBe(1001);
  });

  it("the auto-reply to Close follows the compatibility date for accept()ed sockets", async () => {
    for (const [compatibilityDate, readyState] of [
      ["2026-04-07", 3],
      ["2025-01-01", 2],
    ] as const) {
      const durabox = start({ compatibilityDate });
      const ws = await connect(durabox, "name=ada", "/plain");
      ws.close(1000, "done");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await stats(durabox)).closes.at(-1)).toMatchObject({ plain: true, code: 1000, readyState });
      await durabox.dispose();
      mf = undefined;
    }
  });
});
