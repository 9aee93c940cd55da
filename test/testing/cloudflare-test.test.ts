import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getGlobalDispatcher } from "undici";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { registerTestRuntime } from "../../src/testing/registry.js";
import * as cloudflareTest from "../../src/cloudflare-test.js";
import * as cloudflareWorkers from "../../src/cloudflare-workers.js";
import * as helpers from "../../src/testing/helpers.js";
import * as testing from "../../src/testing/index.js";
import type { DurableObjectNamespace } from "../../src/index.js";

const {
  SELF,
  env,
  reset,
  abortAllDurableObjects,
  evictAllDurableObjects,
  evictDurableObject,
  runInDurableObject,
  runDurableObjectAlarm,
  listDurableObjectIds,
  createExecutionContext,
  waitOnExecutionContext,
  createScheduledController,
  fetchMock,
} = cloudflareTest;
// Miniflare 2's name for the fetch mock is durabox/testing's (not in cloudflare:test).
const { getMiniflareFetchMock } = testing;

// Worker code that imports env and exports from cloudflare:workers, as Cloudflare's docs write it.
const script = `
  import { DurableObject, env, exports, waitUntil } from "cloudflare:workers";
  export class Counter extends DurableObject {
    constructor(ctx, env) { super(ctx, env); this.calls = 0; }
    async increment() {
      this.calls++;
      const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
      this.ctx.storage.kv.put("n", n);
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (v)");
      this.ctx.storage.sql.exec("INSERT INTO t VALUES (?)", n);
      return n + "/" + this.calls;
    }
    rows() { return this.ctx.storage.sql.exec("SELECT count(*) AS c FROM t").one().c; }
    async alarm() {}
  }
  export class Legacy {
    constructor(state) { this.state = state; }
    async fetch() { return new Response(String(await this.state.storage.get("k"))); }
  }
  export default {
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/env") return new Response(env.GREETING);
      if (url.pathname === "/exports") return new Response(await exports.Counter.getByName("x").increment());
      if (url.pathname === "/outbound") return fetch("https://api.example.com/data");
      if (url.pathname === "/later") { waitUntil(new Promise((r) => setTimeout(r, 20)).then(() => { globalThis.laterRan = true; })); return new Response("ok"); }
      return new Response("hello " + url.pathname);
    },
  };`;
const options = {
  script,
  bindings: { GREETING: "hi" },
  durableObjects: { COUNTER: { className: "Counter", useSQLite: true }, LEGACY: "Legacy" },
};
type Counter = { increment(): Promise<string>; rows(): Promise<number> };
const counter = (name = "c") =>
  (env as Record<string, DurableObjectNamespace>).COUNTER!.getByName(name) as unknown as Counter & { id: unknown };

let runtime: TestRuntime;
beforeEach(() => {
  runtime = new TestRuntime(options);
  registerTestRuntime(globalThis, runtime);
});
afterEach(async () => {
  await runtime.dispose();
  registerTestRuntime(globalThis, undefined);
});

describe("the cloudflare:test module", () => {
  // @cloudflare/vitest-plugin 1.5's runtime exports that durabox provides (modern-api.md §2.4), and fetchMock (before 0.13).
  const upstream = [
    "SELF",
    "abortAllDurableObjects",
    "adminSecretsStore",
    "createExecutionContext",
    "createPagesEventContext",
    "createScheduledController",
    "env",
    "evictAllDurableObjects",
    "evictDurableObject",
    "fetchMock",
    "introspectWorkflow",
    "introspectWorkflowInstance",
    "listDurableObjectIds",
    "reset",
    "runDurableObjectAlarm",
    "runInDurableObject",
    "waitOnExecutionContext",
  ];
  const root = new URL("../../", import.meta.url);

  it("exports Cloudflare's names and durabox's helpers, built as ESM and CommonJS", async () => {
    const names = Object.keys(cloudflareTest).sort();
    expect(names).toEqual(expect.arrayContaining(upstream));
    // Every durabox helper flows in (the D1 helpers among them once they exist).
    expect(names).toEqual(expect.arrayContaining(Object.keys(helpers)));
    const esm = (await import(new URL("dist/cloudflare-test.js", root).href)) as object;
    expect(Object.keys(esm).sort()).toEqual(names);
    expect(Object.keys(createRequire(import.meta.url)(fileURLToPath(new URL("dist/cloudflare-test.cjs", root))) as object).sort()).toEqual(
      names,
    );
  });

  it("SELF and exports.default fetch the entry worker; env is its bindings, live", async () => {
    expect(await (await SELF.fetch("http://x/path")).text()).toBe("hello /path");
    expect(await (await SELF.fetch(new Request("http://x/env"))).text()).toBe("hi");
    const exports = cloudflareWorkers.exports as { default: { fetch(url: string): Promise<Response> } };
    expect(await (await exports.default.fetch("http://x/env")).text()).toBe("hi");
    expect((cloudflareWorkers.env as Record<string, unknown>).GREETING).toBe("hi");
    expect(cloudflareWorkers.env.COUNTER).toBe((env as Record<string, unknown>).COUNTER);
    // A probe (as a runner's equality check makes) does not create the runtime.
    const fresh = new TestRuntime(options);
    registerTestRuntime(globalThis, fresh);
    expect((SELF as unknown as { then?: unknown }).then).toBeUndefined();
    expect(fresh.created).toBe(false);
    registerTestRuntime(globalThis, runtime);
  });

  it("exports holds a namespace per Durable Object class, inside worker code too", async () => {
    const exports = cloudflareWorkers.exports as { Counter: DurableObjectNamespace };
    // A loopback (callable, as workerd's), reaching env.COUNTER's objects.
    expect(typeof exports.Counter).toBe("function");
    const counter = (env as Record<string, DurableObjectNamespace>).COUNTER!;
    expect(exports.Counter.idFromName("a").toString()).toBe(counter.idFromName("a").toString());
    expect(await (await SELF.fetch("http://x/exports")).text()).toBe("1/1");
  });

  it("withEnv overrides env for its callback, in test and worker code alike", async () => {
    const response = await cloudflareWorkers.withEnv({ GREETING: "overridden" }, async () => {
      expect((cloudflareWorkers.env as Record<string, unknown>).GREETING).toBe("overridden");
      return (await SELF.fetch("http://x/env")).text();
    });
    expect(response).toBe("overridden");
    expect((cloudflareWorkers.env as Record<string, unknown>).GREETING).toBe("hi");
    expect(() => cloudflareWorkers.withEnv(null, () => 1)).toThrow(TypeError);
  });

  it("waitUntil from cloudflare:workers keeps the work: the runtime waits for it when disposed", async () => {
    const global = globalThis as { laterRan?: boolean };
    delete global.laterRan;
    expect(await (await SELF.fetch("http://x/later")).text()).toBe("ok");
    expect(global.laterRan).toBeUndefined();
    await runtime.dispose();
    expect(global.laterRan).toBe(true);
  });

  it("reset() deletes every object's key-value and SQL data and alarm, and resets instances; the scope's rollback still applies", async () => {
    expect(await counter().increment()).toBe("1/1");
    await runInDurableObject(counter("legacy-less"), () => undefined);
    const legacy = (env as Record<string, DurableObjectNamespace>).LEGACY!.getByName("l");
    await helpers.getDurableObjectStorage(legacy).put("k", "v");
    runtime.enterScope();
    expect(await counter().increment()).toBe("2/2");
    await helpers.getDurableObjectStorage(counter()).setAlarm(Date.now() + 60_000);
    await reset();
    expect(await listDurableObjectIds(cloudflareWorkers.env.COUNTER as DurableObjectNamespace)).toEqual([]);
    expect(await runDurableObjectAlarm(counter())).toBe(false);
    expect(await (await legacy.fetch("http://x/")).text()).toBe("undefined");
    // A fresh instance (calls from 1) on empty storage, SQL table gone.
    expect(await counter().increment()).toBe("1/1");
    expect(await counter().rows()).toBe(1);
    await runtime.exitScope();
    // The scope ends: what was there before it is back.
    expect(await counter().increment()).toBe("2/1");
    expect(await (await legacy.fetch("http://x/")).text()).toBe("v");
  });

  it("reset() calls deleteAll() on every binding's isolated state", async () => {
    let deleted = 0;
    // Bindings (KV, R2, Cache, D1) register their IsolatedState with Durabox; a stand-in here.
    runtime.durabox.internals.isolate({ pushLayer() {}, popLayer() {}, deleteAll: async () => void deleted++, dispose: async () => {} });
    await reset();
    expect(deleted).toBe(1);
  });

  it("abortAllDurableObjects() resets instances and keeps storage", async () => {
    expect(await counter().increment()).toBe("1/1");
    await abortAllDurableObjects();
    expect(await counter().increment()).toBe("2/1");
  });

  it("evictAllDurableObjects() and evictDurableObject(stub, { webSockets }) drop instances, checking their options", async () => {
    expect(await counter().increment()).toBe("1/1");
    await evictAllDurableObjects({ webSockets: "hibernate" });
    expect(await counter().increment()).toBe("2/1");
    expect(evictDurableObject(counter(), { webSockets: "close" })).toBe(true);
    expect(await counter().increment()).toBe("3/1");
    expect(() => evictDurableObject(counter(), { webSockets: "drop" as never })).toThrow(
      'evictDurableObject() options must be { webSockets?: "close" | "hibernate" }, got {"webSockets":"drop"}.',
    );
    await expect(evictAllDurableObjects({ webSockets: 1 as never })).rejects.toThrow(TypeError);
  });

  it("passes the webSockets option on to the runtime's eviction", async () => {
    const objects = runtime.durabox.runtime;
    const evict = vi.spyOn(objects, "evict");
    const evictAll = vi.spyOn(objects, "evictAll");
    evictDurableObject(counter(), { webSockets: "close" });
    await evictAllDurableObjects({ webSockets: "close" });
    expect(evict.mock.calls[0]![1]).toEqual({ webSockets: "close" });
    expect(evictAll.mock.calls[0]![0]).toEqual({ webSockets: "close" });
  });

  it("createExecutionContext() and waitOnExecutionContext() wait for waitUntil work, added while waiting too", async () => {
    const ctx = createExecutionContext();
    const order: string[] = [];
    ctx.waitUntil(
      new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => {
        order.push("first");
        ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => void order.push("second")));
      }),
    );
    ctx.waitUntil(Promise.reject(new Error("logged, not thrown")));
    await waitOnExecutionContext(ctx);
    expect(order).toEqual(["first", "second"]);
    expect(ctx.props).toEqual({});
    expect(Object.keys(ctx.exports)).toContain("default");
    await expect(waitOnExecutionContext({} as never)).rejects.toThrow(
      "waitOnExecutionContext() expects a context made by createExecutionContext() or createPagesEventContext().",
    );
  });

  it("createScheduledController() gives scheduledTime, cron and noRetry()", () => {
    const controller = createScheduledController({ scheduledTime: new Date(1000), cron: "* * * * *" });
    expect(controller).toMatchObject({ scheduledTime: 1000, cron: "* * * * *" });
    expect(() => controller.noRetry()).not.toThrow();
    const now = Date.now();
    expect(createScheduledController().scheduledTime).toBeGreaterThanOrEqual(now);
    expect(createScheduledController().cron).toBe("");
    expect(() => createScheduledController({ scheduledTime: "soon" as never })).toThrow(TypeError);
  });
});

describe("fetchMock and getMiniflareFetchMock()", () => {
  it("starts deactivated; once activated, worker code's fetch is answered by the interceptors", async () => {
    fetchMock.activate();
    fetchMock.disableNetConnect();
    fetchMock.get("https://api.example.com").intercept({ path: "/data" }).reply(200, "mocked");
    const response = await SELF.fetch("http://x/outbound");
    expect(await response.text()).toBe("mocked");
    fetchMock.assertNoPendingInterceptors();
  });

  it("is Node's global dispatcher while the file's runtime lives, and gives it back", async () => {
    const before = getGlobalDispatcher();
    expect((fetchMock as unknown as { isMockActive: boolean }).isMockActive).toBe(false);
    expect(getGlobalDispatcher()).not.toBe(before);
    await runtime.dispose();
    expect(getGlobalDispatcher()).toBe(before);
  });

  it("fails an unmatched request with a message listing the registered interceptors", async () => {
    const agent = getMiniflareFetchMock();
    agent.disableNetConnect();
    agent.get("https://api.example.com").intercept({ path: "/other", method: "POST" }).reply(201, "x");
    agent.get("https://api.example.com").intercept({ path: "/always" }).reply(200, "y").persist();
    const error = await SELF.fetch("http://x/outbound").then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.cause?.message).toBe(
      "Mock dispatch not matched for path '/data': subsequent request to origin https://api.example.com was not allowed (net.connect disabled).\n" +
        "Registered interceptors:\n  POST https://api.example.com/other\n  GET https://api.example.com/always (persistent)",
    );
  });

  it("says so when no interceptor is registered", async () => {
    getMiniflareFetchMock().disableNetConnect();
    const error = await fetch("https://nothing.example.com/").then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    expect(error?.cause?.message).toContain(
      "No interceptors are registered: add one with fetchMock.get(origin).intercept({ path }).reply(status, body).",
    );
  });

  it("rolls back interceptors, activation and net connect with each scope", async () => {
    fetchMock.get("https://api.example.com").intercept({ path: "/data" }).reply(200, "outer").persist();
    runtime.enterScope();
    fetchMock.activate();
    fetchMock.disableNetConnect();
    fetchMock.get("https://api.example.com").intercept({ path: "/inner" }).reply(200, "inner");
    expect(await (await fetch("https://api.example.com/data")).text()).toBe("outer");
    expect(fetchMock.pendingInterceptors().map((i) => i.path)).toEqual(["/inner"]);
    await runtime.exitScope();
    expect((fetchMock as unknown as { isMockActive: boolean }).isMockActive).toBe(false);
    fetchMock.activate();
    // Back as before the scope: the persistent one pending, never used; the inner one gone.
    expect(fetchMock.pendingInterceptors().map((i) => i.path)).toEqual(["/data"]);
    // Net connect is enabled again: an unmatched origin is not refused by the mock (it goes to the network, here a closed port).
    const error = await fetch("http://127.0.0.1:9/").then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(error?.cause?.code).not.toBe("UND_MOCK_ERR_MOCK_NOT_MATCHED");
  });

  it("made inside a scope, returns to a fresh deactivated agent when the scope ends", async () => {
    runtime.enterScope();
    getMiniflareFetchMock().get("https://a.example.com").intercept({ path: "/" }).reply(200, "a");
    await runtime.exitScope();
    expect((fetchMock as unknown as { isMockActive: boolean }).isMockActive).toBe(false);
    expect(fetchMock.pendingInterceptors()).toEqual([]);
  });
});
