import { afterEach, describe, expect, it, vi } from "vitest";
import { ObjectRuntime } from "../../src/objects/runtime.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { DurableObject } from "../../src/rpc/classes.js";
import { describeObjectEvent, type ObjectEvent } from "../../src/objects/events.js";
import { Durabox } from "../../src/durabox.js";
import type { DurableObjectState } from "../../src/objects/state.js";

class Counter extends DurableObject {
  async increment(): Promise<number> {
    const state = this.ctx as unknown as DurableObjectState;
    const value = ((await state.storage.get<number>("n")) ?? 0) + 1;
    await state.storage.put("n", value);
    await state.storage.setAlarm(Date.now() + 60_000);
    return value;
  }
  async fetch(request: Request): Promise<Response> {
    return new Response(new URL(request.url).pathname);
  }
  async alarm(): Promise<void> {}
}

function runtimeHearing(events: string[]): {
  runtime: ObjectRuntime;
  stub: (name: string) => { increment(): Promise<number>; fetch(url: string): Promise<Response> };
} {
  const runtime = new ObjectRuntime(new MemoryBackend(), {
    automaticAlarms: false,
    onEvent: (event: ObjectEvent) => events.push(describeObjectEvent(event)),
  });
  runtime.define({
    identity: "test#Counter",
    className: "Counter",
    storageKind: "key-value",
    resolve: () => ({ objectClass: Counter, env: {} }),
  });
  const ns = runtime.namespace("test#Counter");
  return { runtime, stub: (name) => ns.getByName(name) as unknown as ReturnType<ReturnType<typeof runtimeHearing>["stub"]> };
}

describe("the object event hook", () => {
  it("hears every event of every object, each once, in order: construct, fetch, RPC, alarm, eviction", async () => {
    const events: string[] = [];
    const { runtime, stub } = runtimeHearing(events);
    expect(await (await stub("a").fetch("http://x/path?q=1")).text()).toBe("/path");
    expect(await stub("a").increment()).toBe(1);
    const id = runtime.namespace("test#Counter").idFromName("a");
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(runtime.evict(id)).toBe(true);
    expect(events).toEqual([
      'fetch Counter "a" GET /path',
      'construct Counter "a"',
      'rpc Counter "a" increment',
      'alarm Counter "a"',
      expect.stringMatching(/^eviction Counter "a" This Durable Object instance was evicted/),
    ]);
    await runtime.dispose();
  });

  it("names an object without a name by the start of its id", async () => {
    const events: string[] = [];
    const { runtime } = runtimeHearing(events);
    const ns = runtime.namespace("test#Counter");
    const id = ns.newUniqueId();
    await (ns.get(id) as unknown as Counter).increment();
    expect(events[0]).toBe(`rpc Counter ${id.toString().slice(0, 12)}… increment`);
    await runtime.dispose();
  });
});

describe("verbose", () => {
  afterEach(() => vi.restoreAllMocks());

  const script = `
    import { DurableObject } from "cloudflare:workers";
    export class Counter extends DurableObject { hit() { return 1; } }
    export default { fetch(request, env) { return env.COUNTER.getByName("v").fetch(request); } };
  `;

  async function logged(verbose: boolean): Promise<string[]> {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array) => boolean;
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      if (String(chunk).startsWith("durabox: ")) {
        lines.push(String(chunk));
        return true;
      }
      return write(chunk);
    });
    const mf = new Durabox({ script, durableObjects: { COUNTER: "Counter" }, verbose });
    const ns = (await mf.getDurableObjectNamespace("COUNTER")) as unknown as { getByName(n: string): { hit(): Promise<number> } };
    expect(await ns.getByName("v").hit()).toBe(1);
    await mf.dispose();
    return lines;
  }

  it("logs each Durable Object event on stdout, one line each", async () => {
    expect(await logged(true)).toEqual([
      'durabox: rpc Counter "v" hit\n',
      'durabox: construct Counter "v"\n',
      expect.stringMatching(/^durabox: eviction Counter "v" /),
    ]);
  });

  it("logs nothing when off (the default)", async () => {
    expect(await logged(false)).toEqual([]);
  });
});
