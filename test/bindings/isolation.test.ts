import { describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { installGlobals } from "../../src/testing/globals.js";
import { registerTestRuntime } from "../../src/testing/registry.js";
import { BindingData } from "../../src/bindings/binding-data.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { KVNamespace } from "../../src/bindings/kv/namespace.js";
import { countingBackend } from "../helpers/counting-backend.js";
import type { CacheStorage } from "../../src/bindings/cache/cache-storage.js";

const script = "export default { fetch() { return new Response('ok'); } }";
const options = { script, kvNamespaces: ["NS"] };
const cacheable = (body: string) => new Response(body, { headers: { "cache-control": "max-age=600" } });

describe("KV and Cache API data under per-test isolation", () => {
  it("rolls back each test's writes, keeping what the block's beforeAll wrote for the block", async () => {
    const runtime = new TestRuntime(options);
    const kv = () => runtime.getKVNamespace("NS");
    const cache = () => runtime.getCaches().default;
    runtime.enterScope(); // the describe block: its beforeAll writes here
    await kv().put("seed", "block");
    await cache().put("http://x/seed", cacheable("block"));

    runtime.enterScope(); // a test
    await kv().put("seed", "changed");
    await kv().put("test", "1");
    await cache().put("http://x/seed", cacheable("changed"));
    await cache().put("http://x/test", cacheable("1"));
    expect(await kv().get("seed")).toBe("changed");
    await runtime.exitScope();

    expect(await kv().get("seed")).toBe("block");
    expect(await kv().get("test")).toBeNull();
    expect(await (await cache().match("http://x/seed"))!.text()).toBe("block");
    expect(await cache().match("http://x/test")).toBeUndefined();
    expect((await kv().list()).keys.map((key) => key.name)).toEqual(["seed"]);

    await runtime.exitScope(); // the block ends: its data goes too
    expect(await kv().get("seed")).toBeNull();
    expect(await cache().match("http://x/seed")).toBeUndefined();
    await runtime.dispose();
  });

  it("pushes and pops a layer without reading or writing what is stored below", async () => {
    const { backend, calls } = countingBackend(new MemoryBackend());
    const data = new BindingData("kv", backend);
    const kv = new KVNamespace(data.store("ns"));
    for (let i = 0; i < 100; i++) await kv.put(`k${i}`, "v");
    calls.clear();
    data.pushLayer();
    expect(calls.size).toBe(0);
    await kv.put("k1", "changed");
    await kv.delete("k2");
    // Nothing is written below while a layer is on; the delete reads its one key.
    expect(calls.get("commit")).toBeUndefined();
    expect(calls.get("get")).toBe(1);
    calls.clear();
    data.popLayer();
    expect(calls.size).toBe(0);
    expect(await kv.get("k1")).toBe("v");
    expect(await kv.get("k2")).toBe("v");
    await data.dispose();
  });

  it("deleteAll clears every namespace (reset()), and a test's deleteAll is rolled back with it", async () => {
    const runtime = new TestRuntime({ ...options, kvNamespaces: { A: "a", B: "b" } });
    const a = runtime.getKVNamespace("A");
    await a.put("k", "v");
    await runtime.getKVNamespace("B").put("k", "v");
    await runtime.getCaches().default.put("http://x/", cacheable("x"));

    runtime.enterScope();
    await runtime.durabox.internals.deleteAll();
    expect(await a.get("k")).toBeNull();
    expect(await runtime.getKVNamespace("B").get("k")).toBeNull();
    expect(await runtime.getCaches().default.match("http://x/")).toBeUndefined();
    await runtime.exitScope();
    expect(await a.get("k")).toBe("v");

    await runtime.durabox.internals.deleteAll();
    expect(await a.get("k")).toBeNull();
    expect((await runtime.getKVNamespace("B").list()).keys).toEqual([]);
    await runtime.dispose();
  });

  it("gives test files the global caches, following the file's runtime", async () => {
    const runtime = new TestRuntime(options);
    const global: { caches?: { default: CacheStorage["default"] } } = {};
    installGlobals(global);
    registerTestRuntime(globalThis, runtime);
    try {
      await global.caches!.default.put("http://x/", cacheable("from the test"));
      expect(await (await runtime.getCaches().default.match("http://x/"))!.text()).toBe("from the test");
      expect(await (await (global.caches as unknown as CacheStorage).open("n")).match("http://x/")).toBeUndefined();
    } finally {
      registerTestRuntime(globalThis, undefined);
      await runtime.dispose();
    }
  });
});
