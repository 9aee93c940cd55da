// Hibernatable WebSockets (issue 19, item 5), through SELF as a client would.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { thrown, unique } from "./helpers";

async function connect(room: string, user = "alice"): Promise<WebSocket> {
  const response = await SELF.fetch(`https://example.com/ws?room=${room}&user=${user}`, { headers: { Upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const ws = response.webSocket;
  if (!ws) throw new Error("no webSocket on the 101 response");
  ws.accept();
  return ws;
}

/** The next message, or a rejection after 2 s (a lost message fails the test instead of hanging it). */
function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message within 2 s")), 2000);
    ws.addEventListener(
      "message",
      (event) => {
        clearTimeout(timer);
        resolve(String(event.data));
      },
      { once: true },
    );
  });
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return read();
}

describe("websockets", () => {
  it("echoes a message", async () => {
    const ws = await connect(unique("room"));
    const reply = nextMessage(ws);
    ws.send("hi");
    expect(await reply).toBe("echo:hi");
    ws.close();
  });

  it("delivers an object's messages one per task", async () => {
    const ws = await connect(unique("room"));
    const first = nextMessage(ws);
    ws.send("burst");
    expect(await first).toBe("first");
    // A listener added only after the first message was awaited still gets the second.
    expect(await nextMessage(ws)).toBe("second");
    ws.close();
  });

  it("keeps the attachment for webSocketMessage", async () => {
    const ws = await connect(unique("room"), "bob");
    const reply = nextMessage(ws);
    ws.send("who");
    expect(JSON.parse(await reply)).toEqual({ user: "bob" });
    ws.close();
  });

  it("reads the attachment in webSocketClose", async () => {
    const room = unique("room");
    const ws = await connect(room, "carol");
    ws.close(1000, "bye");
    const object = env.SOCKETS.getByName(room);
    const closed = await eventually(
      () => object.closed(),
      (value) => value !== undefined,
    );
    expect(closed).toEqual({ code: 1000, reason: "bye", attachment: { user: "carol" } });
  });

  it("counts sockets by tag", async () => {
    const room = unique("room");
    const a = await connect(room);
    const b = await connect(room);
    const reply = nextMessage(b);
    b.send("count");
    expect(await reply).toBe("2");
    a.close();
    b.close();
  });

  it("the client sees the object's close code and reason", async () => {
    const ws = await connect(unique("room"));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
    );
    ws.send("close");
    expect(await closed).toEqual({ code: 4000, reason: "asked to" });
  });

  it("acceptWebSocket twice throws an Error", async () => {
    const [name, message] = await runInDurableObject(env.SOCKETS.getByName(unique("room")), (_instance, state) => {
      const { 1: server } = new WebSocketPair();
      state.acceptWebSocket(server);
      const error = thrown(() => state.acceptWebSocket(server));
      return [error?.constructor.name, error?.message];
    });
    expect(name).toBe("Error");
    expect(message).toBe("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`");
  });

  it("a response that is not an upgrade has webSocket null", async () => {
    expect(new Response("x").webSocket).toBeNull();
    expect((await SELF.fetch("https://example.com/")).webSocket).toBeNull();
  });

  it("a non-upgrade request to the socket object gets its 426", async () => {
    const response = await SELF.fetch(`https://example.com/ws?room=${unique("room")}`);
    expect(response.status).toBe(426);
    expect(await response.text()).toBe("not an upgrade");
  });

  it("an auto-response answers without the object", async () => {
    const room = unique("room");
    await runInDurableObject(env.SOCKETS.getByName(room), (_instance, state) => {
      state.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    });
    const ws = await connect(room);
    const reply = nextMessage(ws);
    ws.send("ping");
    expect(await reply).toBe("pong");
    ws.close();
  });

  it("getTags on a socket accepted with accept() throws", async () => {
    const text = await runInDurableObject(env.SOCKETS.getByName(unique("room")), (_instance, state) => {
      const { 1: server } = new WebSocketPair();
      server.accept();
      return thrown(() => state.getTags(server))?.message;
    });
    expect(text).toBe("only hibernatable websockets can have tags.");
  });
});
