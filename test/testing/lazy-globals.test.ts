import { describe, expect, it } from "vitest";
import { lazyGlobal } from "../../src/base/lazy-global.js";
import { WebSocketPair } from "../../src/objects/websockets/websocket.js";
import { installWebSocketGlobals } from "../../src/testing/workers-globals.js";
import { installWorkersGlobals } from "../../src/worker/workers-globals.js";

/** A global whose platform-made members count their reads, as Node's lazily made globals would cost. */
function countingGlobal(): { global: typeof globalThis; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const global = { setTimeout, clearTimeout } as unknown as typeof globalThis;
  for (const [name, value] of Object.entries({ Request, Response, fetch, crypto })) {
    Object.defineProperty(global, name, {
      configurable: true,
      enumerable: false,
      get: () => {
        reads.set(name, (reads.get(name) ?? 0) + 1);
        return value;
      },
    });
  }
  return { global, reads };
}

describe("a test file's Workers globals are made when first read", () => {
  it("installing them reads none of the platform's fetch, Request, Response or crypto", () => {
    const { global, reads } = countingGlobal();
    installWebSocketGlobals(global, { lazy: true });
    const restore = installWorkersGlobals(global, { lazy: true });
    expect([...reads]).toEqual([]);
    // The WebSocket classes need nothing of the platform: there at once.
    expect((global as unknown as { WebSocketPair: unknown }).WebSocketPair).toBe(WebSocketPair);
    restore();
  });

  it("on first read they are the Workers forms, made once", () => {
    const { global, reads } = countingGlobal();
    installWebSocketGlobals(global, { lazy: true });
    installWorkersGlobals(global, { lazy: true });
    const WorkersResponse = global.Response;
    expect(WorkersResponse).not.toBe(Response);
    expect(global.Response).toBe(WorkersResponse);
    const pair = new WebSocketPair();
    const upgrade = new WorkersResponse(null, { status: 101, webSocket: pair[0] } as ResponseInit);
    expect(upgrade.status).toBe(101);
    expect(upgrade instanceof Response).toBe(true);
    expect((new WorkersResponse("x") as unknown as { webSocket: unknown }).webSocket).toBe(null);
    expect(typeof (global.crypto.subtle as unknown as { timingSafeEqual: unknown }).timingSafeEqual).toBe("function");
    expect(global.fetch).not.toBe(fetch);
    expect(typeof global.fetch).toBe("function");
    expect(global.Request).toBe(Request);
    // Each platform member read once, however often the global is read after.
    void [global.Response, global.fetch, global.crypto, global.Request];
    expect(Object.fromEntries(reads)).toEqual({ Request: 1, Response: 1, fetch: 1, crypto: 1 });
  });

  it("an assignment before the first read keeps the assigned value (a test's own fetch)", async () => {
    const { global, reads } = countingGlobal();
    installWebSocketGlobals(global, { lazy: true });
    const mine = async (): Promise<Response> => new Response("mine");
    global.fetch = mine;
    expect(global.fetch).toBe(mine);
    expect(await (await global.fetch("http://x")).text()).toBe("mine");
    expect(reads.get("fetch")).toBeUndefined();
  });

  it("restoring the Workers globals puts the global's own crypto back, read or not", () => {
    for (const read of [false, true]) {
      const { global } = countingGlobal();
      const before = Object.getOwnPropertyDescriptor(global, "crypto");
      const restore = installWorkersGlobals(global, { lazy: true });
      if (read) void global.crypto.subtle;
      restore();
      expect(Object.getOwnPropertyDescriptor(global, "crypto")).toEqual(before);
      expect("scheduler" in global).toBe(false);
    }
  });

  it("under a real Jest global, whose own lazy getters replace themselves when read, reading one of Response and fetch leaves the other wrapped", async () => {
    const { TestEnvironment } = await import("jest-environment-node");
    for (const first of ["fetch", "Response"] as const) {
      const config = { projectConfig: { testEnvironmentOptions: {}, globals: {}, fakeTimers: {} }, globalConfig: {} };
      const environment = new TestEnvironment(config as unknown as ConstructorParameters<typeof TestEnvironment>[0], {} as never);
      const global = environment.global as unknown as typeof globalThis;
      installWebSocketGlobals(global, { lazy: true });
      installWorkersGlobals(global, { lazy: true });
      void global[first];
      const pair = new WebSocketPair();
      const upgrade = new global.Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
      expect([first, upgrade.status]).toEqual([first, 101]);
      expect(global.fetch).not.toBe(fetch);
      expect(global.Response).not.toBe(Response);
      await environment.teardown();
    }
  });

  it("without lazy they are made at install", () => {
    const { global, reads } = countingGlobal();
    installWebSocketGlobals(global);
    installWorkersGlobals(global);
    expect(Object.getOwnPropertyDescriptor(global, "Response")).toMatchObject({ writable: true });
    expect(global.Response).not.toBe(Response);
    expect(reads.get("Response")).toBeGreaterThan(0);
    expect(reads.get("crypto")).toBeGreaterThan(0);
  });

  it("lazyGlobal composes: each layer gets what the one before made", () => {
    const global: Record<string, unknown> = { value: 1 };
    lazyGlobal(global, "value", (previous) => (previous() as number) + 1);
    lazyGlobal(global, "value", (previous) => (previous() as number) * 10);
    expect(global.value).toBe(20);
    expect(Object.getOwnPropertyDescriptor(global, "value")).toMatchObject({ value: 20, writable: true });
  });
});
