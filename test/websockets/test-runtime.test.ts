import { afterEach, describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { DuraboxError } from "../../src/base/errors.js";
import type { DurableObjectNamespace } from "../../src/index.js";
import { installWebSocketGlobals } from "../../src/testing/workers-globals.js";
import { WebSocket, WebSocketPair } from "../../src/objects/websockets/websocket.js";
import { nextClose, nextEvent } from "../helpers/websockets.js";
import { roomScript } from "./room-script.js";

const options = { script: roomScript, durableObjects: { ROOM: "Room" } };
let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
});

function room(name = "lobby") {
  runtime ??= new TestRuntime(options);
  return (runtime.env.ROOM as DurableObjectNamespace).getByName(name);
}

async function ask(ws: WebSocket, message: string): Promise<unknown> {
  const reply = nextEvent<MessageEvent>(ws, "message");
  ws.send(message);
  return (await reply).data;
}

describe("WebSockets in the test runtime", () => {
  it("connectWebSocket(stub, path) returns the accepted client end of the object's 101 response", async () => {
    const ws = await runtime_().connectWebSocket(room(), "/?name=ada");
    expect(ws).toBeInstanceOf(WebSocket);
    expect(JSON.parse((await ask(ws, "whoami")) as string)).toMatchObject({ name: "ada", instance: 1 });
    const plain = await runtime_().connectWebSocket(room(), "plain");
    expect(await ask(plain, "x")).toBe("echo:x");
  });

  it("connectWebSocket says what the object answered when it is not a 101", async () => {
    const refused = new TestRuntime({
      script: `export class Room { fetch() { return new Response("nope", { status: 400 }); } }`,
      durableObjects: { ROOM: "Room" },
    });
    try {
      const stub = (refused.env.ROOM as DurableObjectNamespace).getByName("a");
      await expect(refused.connectWebSocket(stub, "/chat")).rejects.toThrow(
        new DuraboxError(
          "ERR_WEBSOCKET_UPGRADE",
          'connectWebSocket(): the object answered http://localhost/chat with status 400 ("nope"), not a 101 response carrying a webSocket. Its fetch() should return new Response(null, { status: 101, webSocket: client }).',
        ),
      );
      await expect(refused.connectWebSocket(stub.id as never)).rejects.toThrow(
        "connectWebSocket() expects a Durable Object stub, from env.NAMESPACE.get(id), not an id.",
      );
    } finally {
      await refused.dispose();
    }
  });

  it("a test's sockets close with 1001 when its scope ends; sockets of an outer scope stay", async () => {
    const outer = await runtime_().connectWebSocket(room(), "/?name=outer");
    runtime!.enterScope();
    const inner = await runtime!.connectWebSocket(room(), "/?name=inner");
    const plain = await runtime!.connectWebSocket(room(), "/plain");
    const innerClosed = nextClose(inner);
    const plainClosed = nextClose(plain);
    await runtime!.exitScope();
    expect(await innerClosed).toEqual({ code: 1001, reason: "The test that opened this WebSocket ended.", wasClean: true });
    expect((await plainClosed).code).toBe(1001);
    // The outer socket hibernated across the scope's end: the next message constructs the object again.
    expect(JSON.parse((await ask(outer, "whoami")) as string)).toMatchObject({ name: "outer", instance: 2, sockets: 1 });
  });

  it("evictDurableObject takes the webSockets option; evictAllDurableObjects too", async () => {
    const ws = await runtime_().connectWebSocket(room(), "/?name=ada");
    await ask(ws, "whoami");
    expect(runtime!.evictDurableObject(room())).toBe(true);
    expect(JSON.parse((await ask(ws, "whoami")) as string)).toMatchObject({ instance: 2 });
    const closed = nextClose(ws);
    runtime!.evictAllDurableObjects({ webSockets: "close" });
    expect((await closed).code).toBe(1006);
  });
});

describe("installWebSocketGlobals", () => {
  it("puts WebSocketPair, WebSocket, WebSocketRequestResponsePair, Response and fetch on a global, once", () => {
    const global = { Response, fetch } as Record<string, unknown>;
    installWebSocketGlobals(global);
    expect(global.WebSocketPair).toBe(WebSocketPair);
    expect(global.WebSocket).toBe(WebSocket);
    const ResponseWithSockets = global.Response as typeof Response;
    const { 0: client } = new WebSocketPair();
    const response = new ResponseWithSockets(null, { status: 101, webSocket: client } as ResponseInit);
    expect(response.status).toBe(101);
    expect(response).toBeInstanceOf(Response);
    expect(new ResponseWithSockets("x")).toBeInstanceOf(ResponseWithSockets);
    // Not an upgrade: null, as Workers have it (also on responses the platform made).
    expect(new ResponseWithSockets("x")).toHaveProperty("webSocket", null);
    expect(ResponseWithSockets.json({})).toHaveProperty("webSocket", null);
    expect(response).toHaveProperty("webSocket", client);
    const first = global.Response;
    const firstFetch = global.fetch;
    installWebSocketGlobals(global);
    expect(global.Response).toBe(first);
    expect(global.fetch).toBe(firstFetch);
  });
});

function runtime_(): TestRuntime {
  runtime ??= new TestRuntime(options);
  return runtime;
}
