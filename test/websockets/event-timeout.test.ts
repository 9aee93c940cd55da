import { describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { WebSocketPair, type WebSocket } from "../../src/objects/websockets/websocket.js";
import type { DurableObjectState } from "../../src/objects/state.js";

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An object whose webSocketMessage handler never finishes; the client end of one hibernatable socket. */
async function slowHandler(timeoutMs: number | undefined): Promise<{ client: WebSocket; live: () => boolean; closes: number[] }> {
  class Slow {
    constructor(readonly state: DurableObjectState) {}
    webSocketMessage(): Promise<never> {
      return new Promise(() => {});
    }
  }
  const { runtime, ns } = runtimeWith({ Slow });
  const id = ns("Slow").newUniqueId();
  const instance = runtime.instance(id);
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  await instance.deliver(0, () => {
    instance.state.acceptWebSocket(server);
    if (timeoutMs !== undefined) instance.state.setHibernatableWebSocketEventTimeout(timeoutMs);
  });
  const closes: number[] = [];
  client.accept();
  client.addEventListener("close", (event) => closes.push((event as Event & { code: number }).code));
  client.send("work");
  return { client, live: () => runtime.liveInstance(id) === instance, closes };
}

describe("setHibernatableWebSocketEventTimeout()", () => {
  it("a handler running past the timeout shuts the object down and disconnects its sockets, as workerd does", async () => {
    const { live, closes } = await slowHandler(50);
    await wait(20);
    expect(live()).toBe(true);
    await wait(150);
    expect(live()).toBe(false);
    expect(closes).toEqual([1006]);
  });

  it("without a timeout the handler may run on: the object and the socket stay", async () => {
    const { live, closes } = await slowHandler(undefined);
    await wait(170);
    expect(live()).toBe(true);
    expect(closes).toEqual([]);
  });
});
