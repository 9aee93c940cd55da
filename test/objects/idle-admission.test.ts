/* eslint-disable @typescript-eslint/no-explicit-any -- RPC stubs answer any member: the tests call them untyped, as worker code without types does. */
import { describe, expect, it } from "vitest";
import { DurableObject, RpcTarget } from "../../src/rpc/classes.js";
import { runtimeWith } from "../helpers/runtime.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import type { DurableObjectState } from "../../src/objects/state.js";

// An idle object (no event running, no storage operation in flight, nobody
// waiting) admits a call at once, without waiting for the microtask drain to
// end. These are the cases where the object is not idle although no event of
// it may be running: each call must still wait its turn.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Log extends DurableObject {
  readonly log: string[] = [];
  declare protected ctx: DurableObjectState;

  /** Returns at once, leaving a storage read in flight. */
  kick(): string {
    void this.ctx.storage.get("k").then(() => this.log.push("read done"));
    return "kicked";
  }
  /** Returns at once, leaving the input gate blocked for a while. */
  block(): string {
    void this.ctx.blockConcurrencyWhile(async () => {
      await sleep(20);
      this.log.push("unblocked");
    });
    return "blocking";
  }
  async slow(): Promise<void> {
    this.log.push("slow:start");
    await this.ctx.storage.get("k");
    this.log.push("slow:end");
  }
  mark(what: string): string[] {
    this.log.push(what);
    return [...this.log];
  }
  async record(what: string): Promise<void> {
    this.log.push(what);
    await this.ctx.storage.get("k");
  }
  /** Writes without awaiting: the result must still wait for the write's confirmation. */
  writeSync(): string {
    void this.ctx.storage.put("n", 1);
    return "written";
  }
  async writeAsync(): Promise<string> {
    void this.ctx.storage.put("n", 2);
    await Promise.resolve();
    return "written";
  }
  async deferredIncrement(): Promise<number> {
    await Promise.resolve(); // no storage yet: the gate is open here
    return this.increment();
  }
  /** An RpcTarget returned from an asynchronous method: calls on it belong to this object, under its gates. */
  async tally(): Promise<Tally> {
    await Promise.resolve();
    return new Tally(this.log);
  }
  async increment(): Promise<number> {
    const n = ((await this.ctx.storage.get<number>("n")) ?? 0) + 1;
    await this.ctx.storage.put("n", n);
    return n;
  }
}

class Tally extends RpcTarget {
  constructor(private readonly log: string[]) {
    super();
  }
  hit(): string[] {
    this.log.push("hit");
    return [...this.log];
  }
}

class Booting extends DurableObject {
  ready = false;
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      await sleep(20);
      this.ready = true;
    });
  }
  isReady(): boolean {
    return this.ready;
  }
}

function logStub(backend = new SlowBackend(new MemoryBackend(), 2)): { stub: any; backend: SlowBackend } {
  const { ns } = runtimeWith({ Log }, { backend });
  return { stub: ns("Log").getByName("log"), backend };
}

describe("an idle object's admission keeps the input gate", () => {
  it("a call after one that left a storage read in flight runs after the read", async () => {
    const { stub } = logStub();
    expect(await stub.kick()).toBe("kicked");
    expect(await stub.mark("next")).toEqual(["read done", "next"]);
  });

  it("a call after one that started blockConcurrencyWhile() waits for it", async () => {
    const { stub } = logStub();
    expect(await stub.block()).toBe("blocking");
    expect(await stub.mark("next")).toEqual(["unblocked", "next"]);
  });

  it("the constructor's blockConcurrencyWhile() holds the first call", async () => {
    const { ns } = runtimeWith({ Booting });
    const stub: any = ns("Booting").getByName("b");
    expect(await stub.isReady()).toBe(true);
  });

  it("a call made later, while an event awaits storage, is queued behind it", async () => {
    const { stub } = logStub();
    await stub.mark("idle");
    const slow = stub.slow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await stub.mark("next")).toEqual(["idle", "slow:start", "slow:end", "next"]);
    await slow;
  });

  it("admits concurrent calls in call order", async () => {
    const { stub } = logStub();
    await stub.mark("idle");
    await Promise.all(Array.from({ length: 20 }, (_, i) => stub.record(String(i))));
    expect(await stub.mark("end")).toEqual(["idle", ...Array.from({ length: 20 }, (_, i) => String(i)), "end"]);
  });

  it("a call made as the last event finishes does not overtake one still waiting", async () => {
    const { stub } = logStub();
    await stub.mark("idle");
    const first = stub.record("first");
    const waiting = stub.mark("waiting");
    await first;
    // Same microtask drain as the first call's end: "waiting" has not been admitted yet.
    const late = stub.mark("late");
    await Promise.all([waiting, late]);
    expect(await stub.mark("end")).toEqual(["idle", "first", "waiting", "late", "end"]);
  });

  it("runs a running call's microtasks before admitting the next, as the Workers event loop does", async () => {
    const { runtime, ns } = runtimeWith({ Log });
    const stub: any = ns("Log").getByName("d");
    await stub.mark("idle");
    await Promise.all(Array.from({ length: 20 }, () => stub.deferredIncrement()));
    expect(await runtime.storage(stub.id).get("n")).toBe(20);
  });

  it("an RpcTarget an asynchronous method returned is called under the object's gates", async () => {
    const { stub } = logStub();
    const tally = await stub.tally();
    expect(await stub.block()).toBe("blocking");
    expect(await tally.hit()).toEqual(["unblocked", "hit"]);
  });

  for (const kind of ["memory", "async"] as const) {
    it(`50 concurrent get-then-put RPC calls lose no update (${kind} backend)`, async () => {
      const backend = kind === "memory" ? new MemoryBackend() : new SlowBackend(new MemoryBackend(), 1);
      const { runtime, ns } = runtimeWith({ Log }, { backend });
      const stub: any = ns("Log").getByName("c");
      await stub.mark("idle");
      const answers: number[] = await Promise.all(Array.from({ length: 50 }, () => stub.increment()));
      expect(answers.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await runtime.storage(stub.id).get("n")).toBe(50);
    });
  }
});

describe("an idle object's admission keeps the output gate", () => {
  for (const method of ["writeSync", "writeAsync"] as const) {
    it(`holds ${method}()'s result until its write is confirmed`, async () => {
      const backend = new SlowBackend(new MemoryBackend(), 0);
      const { stub } = logStub(backend);
      await stub.mark("idle");
      backend.holdWrites = true;
      let answered = false;
      const result = stub[method]().then((value: string) => {
        answered = true;
        return value;
      });
      await sleep(20);
      expect(backend.held.length).toBe(1);
      expect(answered).toBe(false);
      backend.releaseWrites();
      expect(await result).toBe("written");
    });
  }
});
