import { describe, expect, it } from "vitest";
import { ObjectRuntime } from "../../src/objects/runtime.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { WebSocketPair, type WebSocket } from "../../src/objects/websockets/websocket.js";
import type { DurableObjectState } from "../../src/objects/state.js";
import { responseWithWebSockets } from "../../src/worker/websocket-globals.js";
import { nextEvent } from "../helpers/websockets.js";

const SocketResponse = responseWithWebSockets(Response);
let constructed = 0;

class Room {
  constructor(readonly state: DurableObjectState) {
    constructed++;
  }
  fetch(request: Request): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    if (new URL(request.url).pathname === "/plain") server.accept();
    else this.state.acceptWebSocket(server);
    return new SocketResponse(null, { status: 101, webSocket: client } as ResponseInit);
  }
  webSocketMessage(ws: WebSocket, message: string): void {
    ws.send(`${message} (instance ${constructed})`);
  }
}

function runtime(hibernateAfterMs: number) {
  const objects = new ObjectRuntime(new MemoryBackend(), { automaticAlarms: false, hibernateAfterMs });
  objects.define({ identity: "t#Room", className: "Room", storageKind: "key-value", resolve: () => ({ objectClass: Room, env: {} }) });
  const ns = objects.namespace("t#Room");
  return { objects, stub: ns.get(ns.idFromName("idle")) };
}

async function connect(stub: { fetch(url: string): Promise<Response> }, path = "/"): Promise<WebSocket> {
  const ws = (await stub.fetch(`http://x${path}`)) as Response & { webSocket: WebSocket };
  ws.webSocket.accept();
  return ws.webSocket;
}

describe("hibernation after an idle time", () => {
  it("evicts an idle object that holds only hibernatable sockets; the next message constructs it again", async () => {
    constructed = 0;
    const { objects, stub } = runtime(30);
    const ws = await connect(stub);
    expect(objects.liveInstance(stub.id)).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(objects.liveInstance(stub.id)).toBeUndefined();
    const reply = nextEvent<MessageEvent>(ws, "message");
    ws.send("hi");
    expect((await reply).data).toBe("hi (instance 2)");
    await objects.dispose();
  });

  it("keeps an object whose socket was accept()ed (it cannot hibernate)", async () => {
    const { objects, stub } = runtime(30);
    await connect(stub, "/plain");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(objects.liveInstance(stub.id)).toBeDefined();
    await objects.dispose();
  });
});
