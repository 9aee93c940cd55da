import { describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import type { DurableObjectState } from "../../src/objects/state.js";

/** Read-modify-write with no transaction: only the input gate keeps it correct. */
class Counter {
  constructor(private readonly state: DurableObjectState) {}
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const options = url.searchParams.has("unconfirmed") ? { allowUnconfirmed: true } : {};
    const concurrency = url.searchParams.has("concurrent") ? { allowConcurrency: true } : {};
    const n = ((await this.state.storage.get<number>("n", concurrency)) ?? 0) + 1;
    await this.state.storage.put("n", n, options);
    return new Response(String(n));
  }
}

for (const kind of ["memory", "async"] as const) {
  describe(`input gate (${kind} backend)`, () => {
    it("50 concurrent get-then-put requests lose no update and answer 1..50", async () => {
      const backend = kind === "memory" ? new MemoryBackend() : new SlowBackend(new MemoryBackend(), 1);
      const { runtime, ns } = runtimeWith({ Counter }, { backend });
      const stub = ns("Counter").get(ns("Counter").idFromName("c"));
      const responses = await Promise.all(Array.from({ length: 50 }, () => stub.fetch("http://x/").then((r) => r.text())));
      expect(new Set(responses).size).toBe(50);
      expect(responses.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await runtime.storage(stub.id).get("n")).toBe(50);
    });
  });
}

describe("event admission", () => {
  it("runs an event's microtasks before admitting the next, as the Workers event loop does", async () => {
    class Deferred {
      constructor(private readonly state: DurableObjectState) {}
      async fetch(): Promise<Response> {
        await Promise.resolve(); // no storage yet: the gate is open here
        const n = ((await this.state.storage.get<number>("n")) ?? 0) + 1;
        await this.state.storage.put("n", n);
        return new Response(String(n));
      }
    }
    const { runtime, ns } = runtimeWith({ Deferred });
    const stub = ns("Deferred").getByName("d");
    await Promise.all(Array.from({ length: 20 }, () => stub.fetch("http://x/")));
    expect(await runtime.storage(stub.id).get("n")).toBe(20);
  });
});

describe("input gate with allowConcurrency", () => {
  it("lets other events in while the read is in flight (and so can lose updates)", async () => {
    const { runtime, ns } = runtimeWith({ Counter }, { backend: new SlowBackend(new MemoryBackend(), 2) });
    const stub = ns("Counter").get(ns("Counter").idFromName("c"));
    await Promise.all(Array.from({ length: 10 }, () => stub.fetch("http://x/?concurrent")));
    expect(await runtime.storage(stub.id).get("n")).toBeLessThan(10);
  });
});

describe("output gate", () => {
  it("holds a response until its write is confirmed", async () => {
    const backend = new SlowBackend(new MemoryBackend(), 0);
    const { ns } = runtimeWith({ Counter }, { backend });
    const stub = ns("Counter").get(ns("Counter").idFromName("c"));
    backend.holdWrites = true;
    let answered = false;
    const response = stub.fetch("http://x/").then((r) => {
      answered = true;
      return r.text();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.held.length).toBe(1);
    expect(answered).toBe(false);
    backend.releaseWrites();
    expect(await response).toBe("1");
  });

  it("lets an allowUnconfirmed write's response go before confirmation", async () => {
    const backend = new SlowBackend(new MemoryBackend(), 0);
    const { ns } = runtimeWith({ Counter }, { backend });
    const stub = ns("Counter").get(ns("Counter").idFromName("c"));
    backend.holdWrites = true;
    const text = await stub.fetch("http://x/?unconfirmed").then((r) => r.text());
    expect(text).toBe("1");
    expect(backend.held.length).toBe(1);
    backend.releaseWrites();
  });

  it("fails the response and resets the object when a write fails; the next instance writes again", async () => {
    const backend = new SlowBackend(new MemoryBackend(), 0);
    const { runtime, ns } = runtimeWith({ Counter }, { backend });
    const stub = ns("Counter").get(ns("Counter").idFromName("c"));
    await stub.fetch("http://x/");
    const first = runtime.liveInstance(stub.id);
    backend.failNextWrite = new Error("disk on fire");
    await expect(stub.fetch("http://x/")).rejects.toThrow("disk on fire");
    expect(runtime.liveInstance(stub.id)).toBeUndefined();
    expect(await stub.fetch("http://x/").then((r) => r.text())).toBe("2");
    expect(runtime.liveInstance(stub.id)).not.toBe(first);
  });
});
