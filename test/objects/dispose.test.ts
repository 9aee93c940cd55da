import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";

const script = `
  import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
  export let ran = 0;
  export class Counter extends DurableObject {
    async increment() { ran++; return ran; }
    wait() { return new Promise(() => {}); }
    async fetch() { ran++; return new Response("ran"); }
  }
  export class Api extends WorkerEntrypoint {
    hello() { return "hello"; }
    fetch() { return new Response("api"); }
  }
  export default { fetch() { return new Response("ok"); } };
`;

const DISPOSED = /disposed/;

function start() {
  return new Durabox({
    script,
    durableObjects: { COUNTER: "Counter" },
    serviceBindings: { API: { name: "main", entrypoint: "Api" } },
    workers: [{ name: "main", script }],
  });
}

type Counter = { increment(): Promise<number>; wait(): Promise<never>; fetch(url: string): Promise<Response> };

describe("after dispose()", () => {
  it("a stub taken before rejects with a clear error instead of running the object's code", async () => {
    const mf = start();
    const ns = await mf.getDurableObjectNamespace("COUNTER");
    const stub = ns.getByName("a") as unknown as Counter;
    expect(await stub.increment()).toBe(1);
    await mf.dispose();
    await expect(stub.increment()).rejects.toThrow(DISPOSED);
    await expect(stub.fetch("http://x/")).rejects.toThrow(DISPOSED);
    const fresh = ns.getByName("b") as unknown as Counter;
    await expect(fresh.increment()).rejects.toThrow(DISPOSED);
  });

  it("a call still pending in the object at dispose rejects", async () => {
    const mf = start();
    const stub = (await mf.getDurableObjectNamespace("COUNTER")).getByName("a") as unknown as Counter;
    const pending = stub.wait();
    const settled = pending.then(
      () => "resolved",
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await mf.dispose();
    expect(await settled).toMatch(DISPOSED);
  });

  it("a service binding taken before rejects too", async () => {
    const mf = start();
    const env = (await mf.getBindings()) as { API: { hello(): Promise<string>; fetch(url: string): Promise<Response> } };
    expect(await env.API.hello()).toBe("hello");
    await mf.dispose();
    await expect(env.API.hello()).rejects.toThrow(DISPOSED);
    await expect(env.API.fetch("http://x/")).rejects.toThrow(DISPOSED);
  });
});
