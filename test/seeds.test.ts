import { afterEach, describe, expect, it, vi } from "vitest";
import { Durabox as Miniflare } from "../src/index.js";

/**
 * The examples of the seed documentation (shared/seeds/), run as written
 * with Durabox in place of Miniflare (imported under Miniflare's name so the
 * bodies below are the documents' own text). What each console.log prints is
 * checked against the value the document's comment gives.
 */
let logged: unknown[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  logged = [];
});
const captureLog = () => vi.spyOn(console, "log").mockImplementation((value: unknown) => void logged.push(value));

describe("seed: Manipulating Outside Workers (getDurableObjectStorage)", () => {
  it("runs as written", async () => {
    captureLog();
    // --- the seed's example, verbatim from here ---
    const mf = new Miniflare({
      modules: true,
      durableObjects: { TEST_OBJECT: "TestObject" },
      script: `
  export class TestObject {
    constructor(state) {
      this.storage = state.storage;
    }

    async fetch(request) {
      const url = new URL(request.url);
      if(url.pathname === "/put") await this.storage.put("key", 1);
      return new Response((await this.storage.get("key")).toString());
    }
  }

  export default {
    async fetch(request, env) {
      const stub = env.TEST_OBJECT.get(env.TEST_OBJECT.idFromName("test"));
      return stub.fetch(request);
    }
  }
  `,
    });

    let res = mf.dispatchFetch("http://localhost:8787/put");
    console.log(await res.text()); // "1"

    const ns = await mf.getDurableObjectNamespace("TEST_OBJECT");
    const id = ns.idFromName("test");
    const stub = ns.get(id);
    const doRes = await stub.fetch("http://localhost:8787/put");
    console.log(await doRes.text()); // "1"

    const storage = await mf.getDurableObjectStorage(id);
    console.log(await storage.get("key")); // 1
    await storage.put("key", 2);

    res = mf.dispatchFetch("http://localhost:8787/");
    console.log(await res.text()); // "2"
    // --- end of the seed's example ---
    expect(logged).toEqual(["1", "1", 1, "2"]);
    await mf.dispose();
  });

  it("runs the rendered page's variant as written", async () => {
    captureLog();
    const mf = new Miniflare({
      modules: true,
      durableObjects: { TEST_OBJECT: "TestObject" },
      script: ` export class TestObject { constructor(state) { this.storage = state.storage; }
async fetch(request) { const url = new URL(request.url); if (url.pathname === "/put") await this.storage.put("key", 1); return new Response((await this.storage.get("key")).toString()); } }
export default { async fetch(request, env) { const stub = env.TEST_OBJECT.get(env.TEST_OBJECT.idFromName("test")); return stub.fetch(request); } } `,
    });
    const ns = await mf.getDurableObjectNamespace("TEST_OBJECT");
    const id = ns.idFromName("test");
    const stub = ns.get(id);
    const doRes = await stub.fetch("http://localhost:8787/put");
    console.log(await doRes.text()); // "1"
    const res = await mf.dispatchFetch("http://localhost:8787/");
    console.log(await res.text()); // "1"
    expect(logged).toEqual(["1", "1"]);
    await mf.dispose();
  });
});

describe("seed: Objects", () => {
  it("declares a class exported from the main (string) script", async () => {
    const mf = new Miniflare({
      modules: true,
      script: `
  export class Object1 {
    async fetch(request) {
      return new Response("object1 " + new URL(request.url).pathname);
    }
  }
  export default {
    fetch(request, env) {
      return env.OBJECT1.get(env.OBJECT1.idFromName("one")).fetch(request);
    }
  }
  `,
      durableObjects: {
        // Note Object1 is exported from main (string) script
        OBJECT1: "Object1",
      },
    });
    expect(await mf.dispatchFetch("http://localhost:8787/hi").text()).toBe("object1 /hi");
    await mf.dispose();
  });
});
