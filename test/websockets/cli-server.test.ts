import { afterEach, describe, expect, it } from "vitest";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { connect } from "node:net";
import { WebSocket as NodeWebSocket } from "ws";
import { Durabox } from "../../src/index.js";
import { serve } from "../../src/cli/server.js";
import { roomScript, type RoomStats } from "./room-script.js";

let mf: Durabox | undefined;
let server: Server | undefined;
const log: string[] = [];

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  await mf?.dispose();
  mf = server = undefined;
  log.length = 0;
});

async function listen(): Promise<string> {
  mf = new Durabox({ script: roomScript, durableObjects: { ROOM: "Room" } });
  await mf.ready;
  server = serve(mf, { info: (line) => log.push(line), error: (line) => log.push(line) });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A real WebSocket client over loopback, with its received messages collected. */
async function client(url: string): Promise<{ ws: NodeWebSocket; received: string[]; next: () => Promise<string> }> {
  const ws = new NodeWebSocket(url);
  const received: string[] = [];
  const waiters: ((message: string) => void)[] = [];
  ws.on("message", (data) => {
    const text = String(data);
    const waiter = waiters.shift();
    if (waiter) waiter(text);
    else received.push(text);
  });
  await once(ws, "open");
  return {
    ws,
    received,
    next: () => (received.length > 0 ? Promise.resolve(received.shift()!) : new Promise((resolve) => waiters.push(resolve))),
  };
}

async function stats(host: string): Promise<RoomStats> {
  return (await fetch(`http://${host}/stats`)).json() as Promise<RoomStats>;
}

describe("WebSockets through the CLI server", () => {
  it("a chat room: several real clients over loopback talk to one object, which broadcasts", async () => {
    const host = await listen();
    const ada = await client(`ws://${host}/?room=chat&name=ada`);
    const bob = await client(`ws://${host}/?room=chat&name=bob`);
    const cyd = await client(`ws://${host}/?room=chat&name=cyd`);
    ada.ws.send("hello all");
    expect(await Promise.all([ada.next(), bob.next(), cyd.next()])).toEqual(["ada: hello all", "ada: hello all", "ada: hello all"]);
    bob.ws.send("hi ada");
    expect(await Promise.all([ada.next(), bob.next(), cyd.next()])).toEqual(["bob: hi ada", "bob: hi ada", "bob: hi ada"]);
    // Another room is another object.
    const dan = await client(`ws://${host}/?room=other&name=dan`);
    dan.ws.send("anyone?");
    expect(await dan.next()).toBe("dan: anyone?");
    expect(ada.received).toEqual([]);
    expect(log.filter((line) => line.startsWith("GET /?room=chat") && line.includes(" 101 "))).toHaveLength(3);
    for (const { ws } of [ada, bob, cyd, dan]) ws.close();
  });

  it("binary messages round-trip as binary; a client's close runs webSocketClose and completes the handshake", async () => {
    const host = await listen();
    const ada = await client(`ws://${host}/?name=ada`);
    ada.ws.send(Buffer.from([1, 2, 3]));
    const [data, isBinary] = (await once(ada.ws, "message")) as [Buffer, boolean];
    expect(isBinary).toBe(true);
    expect([...data]).toEqual([1, 2, 3]);
    ada.ws.close(4000, "leaving");
    const [code] = (await once(ada.ws, "close")) as [number, Buffer];
    expect(code).toBe(4000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await stats(host)).closes).toMatchObject([{ code: 4000, reason: "leaving", wasClean: true, name: "ada" }]);
  });

  it("a client that drops its connection: webSocketClose gets 1006, not clean", async () => {
    const host = await listen();
    const ada = await client(`ws://${host}/?name=ada`);
    ada.ws.terminate();
    let closes: RoomStats["closes"] = [];
    for (let i = 0; i < 100 && closes.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      closes = (await stats(host)).closes;
    }
    // deserializeAttachment() still works in webSocketClose.
    expect(closes).toMatchObject([
      { code: 1006, reason: "WebSocket disconnected without sending Close frame.", wasClean: false, name: "ada" },
    ]);
  });

  it("hibernation over the network: evicting the object keeps the connection, the next message constructs it again", async () => {
    const host = await listen();
    const ada = await client(`ws://${host}/?name=ada`);
    ada.ws.send("whoami");
    expect(JSON.parse(await ada.next())).toMatchObject({ name: "ada", instance: 1 });
    const ns = await mf!.getDurableObjectNamespace("ROOM");
    mf!.runtime.evict(ns.idFromName("lobby"));
    ada.ws.send("whoami");
    expect(JSON.parse(await ada.next())).toMatchObject({ name: "ada", instance: 2 });
  });

  it("a protocol error from the client reaches webSocketError", async () => {
    const host = await listen();
    const [hostname, port] = host.split(":");
    const socket = connect(Number(port), hostname!);
    await once(socket, "connect");
    socket.write(
      "GET /?name=ada HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await once(socket, "data"); // 101 Switching Protocols
    // A text frame without the mask a client must set: a protocol error.
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    let errors: string[] = [];
    for (let i = 0; i < 100 && errors.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      errors = (await stats(host)).errors;
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/MASK/);
    socket.destroy();
  });

  it("a response that does not switch protocols is written as is", async () => {
    mf = new Durabox({ script: `export default { fetch() { return new Response("no sockets here", { status: 426 }); } }` });
    await mf.ready;
    server = serve(mf, { info: (line) => log.push(line), error: (line) => log.push(line) });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const ws = new NodeWebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    ws.on("error", () => {});
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, import("node:http").IncomingMessage];
    expect(response.statusCode).toBe(426);
    let body = "";
    for await (const chunk of response) body += String(chunk);
    expect(body).toBe("no sockets here");
    ws.terminate();
  });
});

/** Sends `head` on a raw TCP connection; resolves with the status line the server answers. */
async function rawRequest(host: string, head: string): Promise<string> {
  const [hostname, port] = host.split(":");
  const socket = connect(Number(port), hostname!);
  await once(socket, "connect");
  socket.write(head);
  let text = "";
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.includes("\r\n")) break;
  }
  socket.destroy();
  return text.split("\r\n")[0]!;
}

describe("a WebSocket handshake the CLI server refuses leaves no socket behind", () => {
  const upgrade = (lines: string[]) => [...lines, "Host: x", "Upgrade: websocket", "Connection: Upgrade", "", ""].join("\r\n");
  const key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";

  it("no Sec-WebSocket-Key, a bad version, a POST: refused before the object accepts anything", async () => {
    const host = await listen();
    expect(await rawRequest(host, upgrade(["GET /?name=ada HTTP/1.1", "Sec-WebSocket-Version: 13"]))).toBe("HTTP/1.1 400 Bad Request");
    expect(await rawRequest(host, upgrade(["GET /?name=ada HTTP/1.1", key, "Sec-WebSocket-Version: 12"]))).toBe("HTTP/1.1 400 Bad Request");
    expect(await rawRequest(host, upgrade(["POST /?name=ada HTTP/1.1", key, "Sec-WebSocket-Version: 13", "Content-Length: 0"]))).toBe(
      "HTTP/1.1 405 Method Not Allowed",
    );
    expect(await (await fetch(`http://${host}/count`)).text()).toBe("0");
  });

  it("a client gone before the 101 is written: the object's socket closes (1006) and leaves getWebSockets()", async () => {
    const host = await listen();
    const [hostname, port] = host.split(":");
    const socket = connect(Number(port), hostname!);
    await once(socket, "connect");
    socket.write(upgrade(["GET /?name=ada&slow=100 HTTP/1.1", key, "Sec-WebSocket-Version: 13"]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    let closes: RoomStats["closes"] = [];
    for (let i = 0; i < 100 && closes.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      closes = (await stats(host)).closes;
    }
    expect(closes).toMatchObject([{ code: 1006, wasClean: false, name: "ada" }]);
    expect(await (await fetch(`http://${host}/count`)).text()).toBe("0");
  });
});

describe("a client that does not read", () => {
  it("is closed once 16 MiB wait to be sent to it, instead of the server queueing all the object sends", async () => {
    const host = await listen();
    const ada = await client(`ws://${host}/?name=ada`);
    const raw = (ada.ws as unknown as { _socket: import("node:net").Socket })._socket;
    raw.pause();
    ada.ws.send("flood 64");
    let closes: RoomStats["closes"] = [];
    for (let i = 0; i < 300 && closes.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      closes = (await stats(host)).closes;
    }
    // The object learns its client is gone.
    expect(closes).toMatchObject([{ name: "ada", wasClean: false }]);
    const closed = once(ada.ws, "close");
    raw.resume();
    await closed;
    // It got what was buffered before the limit, not all 64 MiB.
    expect(ada.received.length).toBeLessThan(64);
  });
});
