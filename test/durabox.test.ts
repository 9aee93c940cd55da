import { describe, expect, it } from "vitest";
import { Durabox, DuraboxError, DurableObjectNamespace, DurableObjectStorage } from "../src/index.js";

const counterScript = `
  export class Counter {
    constructor(state, env) { this.state = state; this.env = env; }
    async fetch(request) {
      const n = ((await this.state.storage.get("n")) ?? 0) + 1;
      await this.state.storage.put("n", n);
      return new Response(String(n));
    }
  }
  export const notAClass = 42;
  export default {
    async fetch(request, env) {
      const url = new URL(request.url);
      if (url.pathname === "/var") return new Response(env.GREETING);
      return env.COUNTER.get(env.COUNTER.idFromName(url.pathname)).fetch(request);
    }
  }
`;

describe("Durabox", () => {
  it("dispatches to the worker and its objects, with bindings on env", async () => {
    const mf = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Counter" }, bindings: { GREETING: "hello" } });
    expect(await mf.dispatchFetch("/a").text()).toBe("1");
    expect(await mf.dispatchFetch("http://localhost:8787/a").text()).toBe("2");
    expect(await mf.dispatchFetch("/var").text()).toBe("hello");
    const env = await mf.getBindings<{ GREETING: string; COUNTER: DurableObjectNamespace }>();
    expect(env.GREETING).toBe("hello");
    expect(env.COUNTER).toBeInstanceOf(DurableObjectNamespace);
    await mf.dispose();
  });

  it("getDurableObjectStorage does not construct the object", async () => {
    const mf = new Durabox({
      script: `
        export let constructed = 0;
        export class Counter { constructor() { globalThis.__constructed = (globalThis.__constructed ?? 0) + 1; } }
        export default { fetch() { return new Response(String(globalThis.__constructed ?? 0)); } }`,
      durableObjects: { COUNTER: "Counter" },
    });
    const ns = await mf.getDurableObjectNamespace("COUNTER");
    const storage = await mf.getDurableObjectStorage(ns.idFromName("x"));
    expect(storage).toBeInstanceOf(DurableObjectStorage);
    await storage.put("k", 1);
    expect(await storage.get("k")).toBe(1);
    expect(mf.runtime.liveInstance(ns.idFromName("x"))).toBeUndefined();
    expect(await mf.dispatchFetch("/").text()).toBe("0");
    await mf.dispose();
  });

  it("keeps each Durabox's objects and storage to itself", async () => {
    const a = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Counter" } });
    const b = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Counter" } });
    await a.dispatchFetch("/x");
    await a.dispatchFetch("/x");
    expect(await b.dispatchFetch("/x").text()).toBe("1");
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it("passes values across the boundary that pass instanceof on both sides", async () => {
    const mf = new Durabox({
      script: `
        export class Store {
          constructor(state) { this.state = state; }
          async fetch(request) {
            const body = new Uint8Array(await request.arrayBuffer());
            await this.state.storage.put("bytes", body);
            await this.state.storage.put("date", new Date(1234));
            await this.state.storage.put("error", new TypeError("stored"));
            const checks = {
              request: request instanceof Request,
              bytes: (await this.state.storage.get("bytes")) instanceof Uint8Array,
              date: (await this.state.storage.get("date")) instanceof Date,
              error: (await this.state.storage.get("error")) instanceof TypeError,
            };
            return new Response(JSON.stringify(checks));
          }
        }
        export default { fetch(request, env) { return env.STORE.get(env.STORE.idFromName("s")).fetch(request); } }`,
      durableObjects: { STORE: "Store" },
    });
    const response = await mf.dispatchFetch("/", { method: "POST", body: new Uint8Array([1, 2, 3]) });
    expect(response).toBeInstanceOf(Response);
    expect(await response.json()).toEqual({ request: true, bytes: true, date: true, error: true });
    const storage = await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("STORE")).idFromName("s"));
    expect(await storage.get("bytes")).toBeInstanceOf(Uint8Array);
    expect(await storage.get("date")).toBeInstanceOf(Date);
    expect(await storage.get("error")).toBeInstanceOf(TypeError);
    await mf.dispose();
  });

  it("surfaces an error thrown in the worker as the same Error class", async () => {
    const mf = new Durabox({ script: `export default { fetch() { throw new RangeError("from worker"); } }` });
    const error = await mf.dispatchFetch("/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe("from worker");
    await mf.dispose();
  });

  it("imports node:* built-ins only with nodejs_compat", async () => {
    const compat = new Durabox({
      compatibilityFlags: ["nodejs_compat"],
      script: `import { Buffer as B } from "node:buffer"; export default { fetch() { return new Response(typeof process + " " + B.from("hi").toString("hex")); } }`,
    });
    expect(await compat.dispatchFetch("/").text()).toBe("object 6869");
    const noCompat = new Durabox({
      script: `import { Buffer } from "node:buffer"; export default { fetch() { return new Response(Buffer.from("x")); } }`,
    });
    await expect(noCompat.ready).rejects.toThrow(/nodejs_compat/);
    await Promise.all([compat.dispose(), noCompat.dispose()]);
  });

  it("loads inline TypeScript, and scripts that declare names the runtime provides", async () => {
    const ts = new Durabox({
      script: `
        interface Env { GREETING: string }
        export default { fetch(request: Request, env: Env): Response { return new Response(env.GREETING as string); } }`,
      bindings: { GREETING: "typed" },
    });
    expect(await ts.dispatchFetch("/").text()).toBe("typed");
    const shadowing = new Durabox({
      script: `
        const Buffer = "mine"; let navigator = "mine too"; class Response2 extends Response {}
        var process = 1;
        export default { fetch() { return new Response2(Buffer + " " + navigator + " " + process); } }`,
    });
    expect(await shadowing.dispatchFetch("/").text()).toBe("mine mine too 1");
    await Promise.all([ts.dispose(), shadowing.dispose()]);
  });

  it("loads classes extending DurableObject from cloudflare:workers, with RPC", async () => {
    const mf = new Durabox({
      script: `
        import { DurableObject } from "cloudflare:workers";
        export class Greeter extends DurableObject {
          greet(name) { return "hello " + name + " from " + this.ctx.id.name; }
        }
        export default { async fetch(request, env) { return new Response(await env.GREETER.getByName("g").greet("you")); } }`,
      durableObjects: { GREETER: "Greeter" },
    });
    expect(await mf.dispatchFetch("/").text()).toBe("hello you from g");
    await mf.dispose();
  });

  it("waits on dispose for work handed to ctx.waitUntil and state.waitUntil", async () => {
    const mf = new Durabox({
      script: `
        export class Obj {
          constructor(state) { this.state = state; }
          fetch() {
            this.state.waitUntil(new Promise((r) => setTimeout(() => { globalThis.__objectDone = true; r(); }, 30)));
            return new Response("ok");
          }
        }
        export default {
          async fetch(request, env, ctx) {
            ctx.waitUntil(new Promise((r) => setTimeout(() => { globalThis.__workerDone = true; r(); }, 30)));
            return env.OBJ.getByName("o").fetch(request);
          }
        }`,
      durableObjects: { OBJ: "Obj" },
    });
    const g = globalThis as { __objectDone?: boolean; __workerDone?: boolean };
    expect(await mf.dispatchFetch("/").text()).toBe("ok");
    expect(g.__objectDone).toBeUndefined();
    await mf.dispose();
    expect(g.__objectDone).toBe(true);
    expect(g.__workerDone).toBe(true);
  });

  describe("bad input", () => {
    it("names a class the script does not export, listing what it does export", async () => {
      const mf = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Countr" } });
      const error = await mf.ready.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuraboxError);
      expect((error as DuraboxError).code).toBe("ERR_CLASS_NOT_FOUND");
      expect((error as Error).message).toMatch(/does not export a class named "Countr"/);
      expect((error as Error).message).toMatch(/It exports: Counter, notAClass/);
      await expect(mf.dispatchFetch("/")).rejects.toThrow(/Countr/);
      await mf.dispose();
    });

    it("refuses an export that is not a class", async () => {
      const mf = new Durabox({ script: counterScript, durableObjects: { COUNTER: "notAClass" } });
      await expect(mf.ready).rejects.toMatchObject({ code: "ERR_NOT_A_CLASS", message: expect.stringMatching(/not a class/) });
      await mf.dispose();
    });

    it("reports a syntax error in the script with its location", async () => {
      const mf = new Durabox({ script: "export default { fetch( { }" });
      await expect(mf.ready).rejects.toMatchObject({ code: "ERR_SCRIPT", message: expect.stringMatching(/<script>\.mjs:1:\d+/) });
      await mf.dispose();
    });

    it.each([
      [{ durableObjects: { A: 5 } }, /durableObjects\.A must be a class name \("Counter"\) or \{ className/],
      [{ durableObjects: { A: {} } }, /an object without a className/],
      [{ durableObjects: "A" }, /"durableObjects" must be an object/],
      [{ script: 5 }, /Option "script" must be a string/],
      [{ modules: "yes" }, /Option "modules" must be a boolean/],
      [{ bindings: [] }, /"bindings" must be an object/],
      [{ durableObjectsAlarms: 1 }, /"durableObjectsAlarms" must be a boolean/],
      [{ compatibilityFlags: "nodejs_compat" }, /"compatibilityFlags" must be an array of strings/],
      [{ scrpt: "x" }, /Unknown option "scrpt". Supported options: name, modules, script/],
      [{ script: "x", scriptPath: "y" }, /both given/],
      [{ modules: false, script: "x", durableObjects: { A: "A" } }, /need the modules format/],
      [{ durableObjects: { A: "A" } }, /has no code: pass "script" or "scriptPath"/],
      [{ script: "x", durableObjects: { A: { className: "A", scriptName: "api" } } }, /scriptName "api", but no worker of that name/],
      [{ script: "x", durableObjects: { A: "A" }, bindings: { A: 1 } }, /both a Durable Object binding and a plain binding/],
    ])("refuses %j clearly", (options, message) => {
      const error = (() => {
        try {
          new Durabox(options as never);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DuraboxError);
      expect((error as DuraboxError).code).toBe("ERR_OPTIONS");
      expect((error as Error).message).toMatch(message);
    });

    it("names a binding that does not exist", async () => {
      const mf = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Counter" } });
      await expect(mf.getDurableObjectNamespace("COUNTR")).rejects.toThrow(/No Durable Object binding named "COUNTR". Bindings: COUNTER/);
      await mf.dispose();
    });

    it("refuses use after dispose, including storage handles taken before", async () => {
      const mf = new Durabox({ script: counterScript, durableObjects: { COUNTER: "Counter" } });
      const storage = await mf.getDurableObjectStorage((await mf.getDurableObjectNamespace("COUNTER")).idFromName("a"));
      await storage.put("n", 1);
      await mf.dispose();
      await expect(mf.dispatchFetch("/")).rejects.toMatchObject({ code: "ERR_DISPOSED" });
      await expect(storage.get("n")).rejects.toMatchObject({ code: "ERR_DISPOSED" });
      await expect(storage.put("n", 2)).rejects.toMatchObject({ code: "ERR_DISPOSED" });
    });
  });
});
