import { describe, expect, it } from "vitest";
import { WebSocket, WebSocketPair } from "../../src/objects/websockets/websocket.js";
import type { CloseEvent } from "../../src/objects/websockets/events.js";
import { messagesOf, nextClose, nextEvent, until } from "../helpers/websockets.js";

function pair(): [WebSocket, WebSocket] {
  const { 0: client, 1: server } = new WebSocketPair();
  return [client, server];
}

describe("WebSocketPair", () => {
  it("has two open ends, 0 and 1, Object.values gives [client, server]", () => {
    const p = new WebSocketPair();
    const [client, server] = Object.values(p) as WebSocket[];
    expect(client!).toBe(p[0]);
    expect(server).toBe(p[1]);
    expect(client).toBeInstanceOf(WebSocket);
    expect(client).toBeInstanceOf(EventTarget);
    expect(client!.readyState).toBe(WebSocket.READY_STATE_OPEN);
    expect(server!.constructor.name).toBe("WebSocket");
  });

  it("refuses send() and close() before accept(), with production's message", () => {
    const [client] = pair();
    const message = "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.";
    expect(() => client.send("x")).toThrow(new TypeError(message));
    expect(() => client.close()).toThrow(new TypeError(message));
  });

  it("queues messages until accept(), then delivers them in order, asynchronously", async () => {
    const [client, server] = pair();
    server.accept();
    server.send("one");
    server.send(new Uint8Array([1, 2, 3]));
    server.send(new Uint8Array([9, 8, 7, 6]).subarray(1, 3));
    const seen = messagesOf(client);
    client.accept();
    expect(seen).toEqual([]);
    await until(() => seen.length === 3);
    expect(seen[0]).toBe("one");
    expect(seen[1]).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(seen[1] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect([...new Uint8Array(seen[2] as ArrayBuffer)]).toEqual([8, 7]);
  });

  it("close: the peer's close event carries code, reason, wasClean; with the auto-reply both ends end CLOSED", async () => {
    const [client, server] = pair();
    client.accept();
    server.accept();
    const serverClosed = nextEvent<CloseEvent>(server, "close");
    const clientClosed = nextClose(client);
    client.close(4000, "bye");
    expect(client.readyState).toBe(WebSocket.READY_STATE_CLOSING);
    const event = await serverClosed;
    expect([event.code, event.reason, event.wasClean]).toEqual([4000, "bye", true]);
    // The runtime answered the Close before the listener ran.
    expect(server.readyState).toBe(WebSocket.READY_STATE_CLOSED);
    expect(await clientClosed).toEqual({ code: 4000, reason: "bye", wasClean: true });
    expect(client.readyState).toBe(WebSocket.READY_STATE_CLOSED);
  });

  it("close() with no code arrives as 1005; a second close() is ignored; send() after close() throws", async () => {
    const [client, server] = pair();
    client.accept();
    server.accept();
    const closed = nextClose(server);
    client.close();
    client.close();
    expect(() => client.send("x")).toThrow(new TypeError("Can't call WebSocket send() after close()."));
    expect(await closed).toEqual({ code: 1005, reason: "", wasClean: true });
  });

  it("validates close codes and reasons as production does", () => {
    const [client] = pair();
    client.accept();
    for (const code of [999, 1004, 1005, 1006, 1015, 5000]) {
      expect(() => client.close(code)).toThrow(new TypeError(`Invalid WebSocket close code: ${code}.`));
    }
    expect(() => client.close(undefined, "why")).toThrow(
      new TypeError("If you specify a WebSocket close reason, you must also specify a code."),
    );
    expect(client.readyState).toBe(WebSocket.READY_STATE_OPEN);
  });

  it("accept() twice is harmless; serializeAttachment keeps a structured clone, 16 KiB at most", () => {
    const [client] = pair();
    client.accept();
    client.accept();
    expect(client.deserializeAttachment()).toBeNull();
    const value = { name: "ada", at: new Date(0), tags: new Set(["a"]) };
    client.serializeAttachment(value);
    const back = client.deserializeAttachment() as typeof value;
    expect(back).toEqual(value);
    expect(back).not.toBe(value);
    expect(() => client.serializeAttachment("x".repeat(20_000))).toThrow(
      /^A WebSocket 'attachment' cannot be larger than 16384 bytes\.'attachment' was 2000\d bytes\.$/,
    );
    expect(() => client.serializeAttachment(() => 1)).toThrow(/could not be cloned/);
  });
});
