import { describe, expect, it } from "@jest/globals";
import { connectWebSocket, env, evictDurableObject, type TestWebSocket } from "durabox/testing";
import { ChatRoom } from "../src/index";

/** The next message the socket receives. */
function nextMessage(ws: TestWebSocket): Promise<string> {
  return new Promise((resolve) => ws.addEventListener("message", (event) => resolve(String(event.data)), { once: true }));
}

function nextClose(ws: TestWebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }), { once: true }),
  );
}

let fromEarlierTest: { ws: TestWebSocket; closed: Promise<{ code: number; reason: string }> } | undefined;

describe("a hibernating chat room", () => {
  it("broadcasts between members connected with connectWebSocket", async () => {
    const room = env.CHAT.getByName("broadcast");
    const ada = await connectWebSocket(room, "/?name=ada");
    const adaHears = nextMessage(ada);
    const bob = await connectWebSocket(room, "/?name=bob");
    expect(await adaHears).toBe("bob joined");
    const bobHears = nextMessage(bob);
    ada.send("hello bob");
    expect(await bobHears).toBe("ada: hello bob");
    expect(await room.messageCount()).toBe(1);
  });

  it("hibernates: evicted with its sockets open, the next message constructs it again, attachments intact", async () => {
    const room = env.CHAT.getByName("hibernation");
    const ada = await connectWebSocket(room, "/?name=ada");
    const constructed = ChatRoom.constructed;
    expect(evictDurableObject(room)).toBe(true);
    const reply = nextMessage(ada);
    ada.send("/who");
    expect(JSON.parse(await reply)).toEqual(["ada"]);
    expect(ChatRoom.constructed).toBe(constructed + 1);
  });

  it("answers ping with pong without waking the room", async () => {
    const room = env.CHAT.getByName("ping");
    const ada = await connectWebSocket(room, "/?name=ada");
    evictDurableObject(room);
    const constructed = ChatRoom.constructed;
    const reply = nextMessage(ada);
    ada.send("ping");
    expect(await reply).toBe("pong");
    expect(ChatRoom.constructed).toBe(constructed);
  });

  it('eviction with webSockets: "close" drops the connections (1006)', async () => {
    const room = env.CHAT.getByName("dropped");
    const ada = await connectWebSocket(room, "/?name=ada");
    const closed = nextClose(ada);
    evictDurableObject(room, { webSockets: "close" });
    expect((await closed).code).toBe(1006);
  });

  it("a member who leaves is announced; the room completes the close handshake", async () => {
    const room = env.CHAT.getByName("leaving");
    const ada = await connectWebSocket(room, "/?name=ada");
    const bob = await connectWebSocket(room, "/?name=bob");
    await nextMessage(ada); // "bob joined"
    const adaHears = nextMessage(ada);
    const bobClosed = nextClose(bob);
    bob.close(1000, "gone");
    expect(await bobClosed).toEqual({ code: 1000, reason: "bye" });
    expect(await adaHears).toBe("bob left");
  });

  it("a socket opened in one test...", async () => {
    const ws = await connectWebSocket(env.CHAT.getByName("isolation"), "/?name=ada");
    fromEarlierTest = { ws, closed: nextClose(ws) };
  });

  it("...is closed (1001) when that test ends, and its messages are rolled back with storage", async () => {
    expect((await fromEarlierTest!.closed).code).toBe(1001);
    expect(fromEarlierTest!.ws.readyState).toBe(3);
    expect(await env.CHAT.getByName("broadcast").messageCount()).toBe(0);
  });
});
