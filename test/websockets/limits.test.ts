import { describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { RequestResponsePair, WebSocket, WebSocketPair } from "../../src/objects/websockets/websocket.js";
import type { DurableObjectState } from "../../src/objects/state.js";

/** Runs `body` inside a fresh object, with its state. */
async function inObject<T>(body: (state: DurableObjectState) => T): Promise<T> {
  class Obj {
    constructor(readonly state: DurableObjectState) {}
  }
  const { runtime, ns } = runtimeWith({ Obj });
  const instance = runtime.instance(ns("Obj").newUniqueId());
  return instance.deliver(0, () => body(instance.state));
}

function serverEnd(): WebSocket {
  return new WebSocketPair()[1];
}

describe("acceptWebSocket's rules and messages", () => {
  it("refuses a socket already accepted either way, and accept() after acceptWebSocket()", async () => {
    const errors = await inObject((state) => {
      const found: unknown[] = [];
      const accepted = serverEnd();
      accepted.accept();
      const hibernating = serverEnd();
      state.acceptWebSocket(hibernating);
      for (const attempt of [() => state.acceptWebSocket(accepted), () => state.acceptWebSocket(hibernating), () => hibernating.accept()]) {
        try {
          attempt();
        } catch (error) {
          found.push(error);
        }
      }
      return found;
    });
    // workerd's actor-state.c++: JSG_ASSERT(!ws->isAccepted(), Error, ...); web-socket.c++'s accept(): a TypeError.
    expect(errors.map((error) => [(error as Error).constructor, (error as Error).message])).toEqual([
      [Error, "Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`"],
      [Error, "Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`"],
      [TypeError, "Can't accept() WebSocket after enabling hibernation."],
    ]);
  });

  it("allows 10 distinct tags (duplicates ignored) of up to 256 characters", async () => {
    const result = await inObject((state) => {
      const ws = serverEnd();
      const ten = Array.from({ length: 10 }, (_, i) => `t${i}`);
      state.acceptWebSocket(ws, [...ten, "t0", "t1", "x".repeat(256).slice(0, 256)].slice(0, 12));
      const tags = state.getTags(ws);
      const errors: string[] = [];
      for (const tags of [[...ten, "eleven"], ["y".repeat(257)]]) {
        try {
          state.acceptWebSocket(serverEnd(), tags);
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      return { tags, errors, count: state.getWebSockets().length };
    });
    expect(result.tags).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
    expect(result.errors).toEqual([
      "a Hibernatable WebSocket cannot have more than 10 tags",
      `"${"y".repeat(257)}" is longer than the max tag length (256 characters).`,
    ]);
    // A refused socket is not kept.
    expect(result.count).toBe(1);
  });

  it("getTags of a socket not accepted for hibernation throws", async () => {
    const message = await inObject((state) => {
      try {
        state.getTags(serverEnd());
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    });
    expect(message).toBe("you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket.");
  });

  it("getTags of a socket accepted with accept() throws workerd's Error", async () => {
    const error = await inObject((state) => {
      const ws = serverEnd();
      ws.accept();
      try {
        state.getTags(ws);
      } catch (error) {
        return error;
      }
      return "no error";
    });
    // workerd's web-socket.c++ getHibernatableTags(): JSG_REQUIRE(accepted.isHibernatable(), Error, ...).
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("only hibernatable websockets can have tags.");
  });

  it("auto-responses: sizes checked by setWebSocketAutoResponse, cleared with no argument", async () => {
    const result = await inObject((state) => {
      const errors: unknown[] = [];
      for (const [request, response] of [
        ["r".repeat(2049), "ok"],
        ["ok", "é".repeat(1025)],
      ] as const) {
        try {
          state.setWebSocketAutoResponse(new RequestResponsePair(request, response));
        } catch (error) {
          errors.push(error);
        }
      }
      const pair = new RequestResponsePair("r".repeat(2048), "pong");
      state.setWebSocketAutoResponse(pair);
      const set = state.getWebSocketAutoResponse();
      state.setWebSocketAutoResponse();
      return { errors, set: set === pair, cleared: state.getWebSocketAutoResponse(), request: pair.request.length };
    });
    expect(result.errors).toEqual([
      new RangeError("Request cannot be larger than 2048 bytes. A request of size 2049 was provided."),
      new RangeError("Response cannot be larger than 2048 bytes. A response of size 2050 was provided."),
    ]);
    expect(result).toMatchObject({ set: true, cleared: null, request: 2048 });
  });

  it("the hibernatable event timeout: set, read, cleared with 0 or none, at most 604,800,000 ms", async () => {
    const result = await inObject((state) => {
      const seen: unknown[] = [state.getHibernatableWebSocketEventTimeout()];
      state.setHibernatableWebSocketEventTimeout(5000);
      seen.push(state.getHibernatableWebSocketEventTimeout());
      state.setHibernatableWebSocketEventTimeout(0);
      seen.push(state.getHibernatableWebSocketEventTimeout());
      state.setHibernatableWebSocketEventTimeout(604_800_000);
      seen.push(state.getHibernatableWebSocketEventTimeout());
      state.setHibernatableWebSocketEventTimeout();
      seen.push(state.getHibernatableWebSocketEventTimeout());
      try {
        state.setHibernatableWebSocketEventTimeout(604_800_001);
      } catch (error) {
        seen.push(error);
      }
      return seen;
    });
    expect(result).toEqual([null, 5000, null, 604_800_000, null, new RangeError("Event timeout should not exceed 604800000 ms.")]);
  });

  it("serializeAttachment over 16 KiB throws production's message and keeps the previous attachment", async () => {
    const result = await inObject((state) => {
      const ws = serverEnd();
      state.acceptWebSocket(ws);
      ws.serializeAttachment({ keep: true });
      try {
        ws.serializeAttachment(new Uint8Array(16_384));
      } catch (error) {
        return { message: (error as Error).message, kept: ws.deserializeAttachment() };
      }
      return { message: "no error", kept: null };
    });
    expect(result.message).toMatch(/^A WebSocket 'attachment' cannot be larger than 16384 bytes\.'attachment' was 16\d{3} bytes\.$/);
    expect(result.kept).toEqual({ keep: true });
  });

  it("a socket returned in a Response after accept() or acceptWebSocket() cannot be coupled", async () => {
    const { findCore } = await import("../../src/objects/websockets/websocket.js");
    const messages = await inObject((state) => {
      const accepted = new WebSocketPair()[0];
      accepted.accept();
      const hibernating = new WebSocketPair()[0];
      state.acceptWebSocket(hibernating);
      const used = new WebSocketPair()[0];
      findCore(used)!.couple({ deliver: () => {} });
      return [accepted, hibernating, used].map((ws) => {
        try {
          findCore(ws)!.couple({ deliver: () => {} });
          return "coupled";
        } catch (error) {
          return (error as Error).message;
        }
      });
    });
    expect(messages).toEqual([
      "Can't return WebSocket in a Response after calling accept().",
      "Can't return WebSocket in a Response after calling acceptWebSocket().",
      "Can't return WebSocket that was already used in a response.",
    ]);
  });
});

describe("the hibernatable socket limit", () => {
  it("accepts 32,768 sockets on one object and refuses the next", async () => {
    const result = await inObject((state) => {
      for (let i = 0; i < 32_768; i++) state.acceptWebSocket(serverEnd());
      try {
        state.acceptWebSocket(serverEnd());
      } catch (error) {
        return { count: state.getWebSockets().length, message: (error as Error).message };
      }
      return { count: state.getWebSockets().length, message: "no error" };
    });
    expect(result).toEqual({ count: 32_768, message: "A Durable Object cannot accept more than 32768 hibernatable WebSockets." });
  });
});
