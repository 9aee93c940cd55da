import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Durabox } from "../../src/index.js";

let echo: WebSocketServer;
let url: string;
beforeAll(async () => {
  echo = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  echo.on("connection", (socket, request) => {
    socket.send(`hello ${request.headers["x-who"] ?? "stranger"}`);
    socket.on("message", (data, isBinary) => socket.send(isBinary ? data : `echo:${String(data)}`));
  });
  await once(echo, "listening");
  url = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

const script = `
  export default {
    async fetch(request) {
      const target = new URL(request.url).searchParams.get("target");
      const received = [];
      let socket;
      if (new URL(request.url).pathname === "/fetch") {
        const response = await fetch("http://" + target + "/", { headers: { Upgrade: "websocket", "X-Who": "worker" } });
        if (response.status !== 101) return new Response("status " + response.status);
        socket = response.webSocket;
        socket.accept();
      } else {
        socket = new WebSocket("ws://" + target + "/");
        received.push("state " + socket.readyState);
        await new Promise((resolve) => socket.addEventListener("open", resolve));
        received.push("open " + socket.readyState);
      }
      const done = new Promise((resolve) => {
        socket.addEventListener("message", (event) => {
          received.push(event.data);
          if (received.length === 1) socket.send("ping");
          if (String(event.data).startsWith("echo:")) resolve();
        });
      });
      if (new URL(request.url).pathname !== "/fetch") socket.send("ping");
      await done;
      const closed = new Promise((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
      socket.close(1000, "done");
      received.push("closed " + (await closed));
      return Response.json(received);
    }
  };
`;

describe("outgoing WebSockets from worker code", () => {
  it("new WebSocket(url): CONNECTING, then open (accepted at once), messages, close", async () => {
    const mf = new Durabox({ script });
    try {
      expect(await mf.dispatchFetch(`/new?target=${url}`).json()).toEqual([
        "state 0",
        "open 1",
        "hello stranger",
        "echo:ping",
        "closed 1000",
      ]);
    } finally {
      await mf.dispose();
    }
  });

  it("fetch with Upgrade: websocket resolves to a 101 whose webSocket must be accepted; headers go along", async () => {
    const mf = new Durabox({ script });
    try {
      expect(await mf.dispatchFetch(`/fetch?target=${url}`).json()).toEqual(["hello worker", "echo:ping", "closed 1000"]);
    } finally {
      await mf.dispose();
    }
  });

  it("new WebSocket refuses other schemes and fragments with production's messages", async () => {
    const mf = new Durabox({
      script: `export default { fetch() {
        const errors = [];
        for (const url of ["http://x/", "ws://x/#frag", "not a url"]) {
          try { new WebSocket(url); } catch (e) { errors.push(e.name + ": " + e.message); }
        }
        return Response.json(errors);
      } }`,
    });
    try {
      expect(await mf.dispatchFetch("/").json()).toEqual([
        "SyntaxError: WebSocket Constructor: The url scheme must be ws or wss.",
        "SyntaxError: WebSocket Constructor: The url fragment must be empty.",
        "SyntaxError: WebSocket Constructor: The url is invalid.",
      ]);
    } finally {
      await mf.dispose();
    }
  });

  it("leaves fetch(request) of a Request with a body alone: the body reaches the server", async () => {
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += String(chunk)));
      request.on("end", () => response.end(`got ${request.method} ${body}`));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const mf = new Durabox({
      script: `export default { fetch() {
        return fetch(new Request("http://127.0.0.1:${port}/", { method: "POST", body: "payload" }));
      } }`,
    });
    try {
      expect(await mf.dispatchFetch("/").text()).toBe("got POST payload");
    } finally {
      await mf.dispose();
      server.close();
    }
  });
});
