import { afterEach, describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import type { DurableObjectNamespace } from "../../src/index.js";

const script = `
  import { DurableObject } from "cloudflare:workers";
  let constructed = 0;
  export class Counter extends DurableObject {
    constructor(ctx, env) { super(ctx, env); this.instance = ++constructed; }
    async increment() {
      const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
      await this.ctx.storage.put("n", n);
      return n + "@" + this.instance;
    }
    wait() { return new Promise(() => {}); }
    async armAbortingAlarm() { await this.ctx.storage.setAlarm(Date.now()); }
    async alarm() { this.ctx.abort("alarm reset"); }
    resetNow() { this.ctx.abort("reset on purpose"); }
    async fetch() { return new Response("instance " + this.instance); }
  }
  export default { fetch() { return new Response("ok"); } };
`;

const ABORTED = "Application called abortAllDurableObjects().";

let runtime: TestRuntime | undefined;
afterEach(async () => {
  await runtime?.dispose();
  runtime = undefined;
});

type Counter = {
  increment(): Promise<string>;
  wait(): Promise<never>;
  armAbortingAlarm(): Promise<void>;
  resetNow(): Promise<never>;
  fetch(url: string): Promise<Response>;
};

function counter(name = "c"): Counter {
  runtime ??= new TestRuntime({ script, durableObjects: { COUNTER: "Counter" } });
  return (runtime.env.COUNTER as DurableObjectNamespace).getByName(name) as unknown as Counter;
}

describe("abortAllDurableObjects()", () => {
  it("an old stub's calls and fetch() reject with production's message; a new stub reaches a fresh instance, storage kept", async () => {
    const old = counter();
    expect(await old.increment()).toBe("1@1");
    expect(await (await old.fetch("http://x/")).text()).toBe("instance 1");
    runtime!.abortAllDurableObjects();
    await expect(old.increment()).rejects.toThrow(ABORTED);
    // Not a reset the object asked for: no durableObjectReset, as on workerd (conformance/tests/alarms.test.ts).
    expect(await old.increment().catch((error: Record<string, unknown>) => error.durableObjectReset)).toBeUndefined();
    await expect(old.fetch("http://x/")).rejects.toThrow(ABORTED);
    // It stays broken.
    await expect(old.increment()).rejects.toThrow(ABORTED);
    const fresh = counter();
    expect(await fresh.increment()).toBe("2@2");
    expect(await (await fresh.fetch("http://x/")).text()).toBe("instance 2");
  });

  it("a call pending in the object when it is aborted rejects with the same message", async () => {
    const stub = counter();
    const pending = stub.wait();
    await expect(Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 20, "still pending"))])).resolves.toBe(
      "still pending",
    );
    runtime!.abortAllDurableObjects();
    await expect(pending).rejects.toThrow(ABORTED);
  });

  it("a stub made before the abort but never used reaches the new instance", async () => {
    const used = counter();
    const unused = counter();
    expect(await used.increment()).toBe("1@1");
    runtime!.abortAllDurableObjects();
    expect(await unused.increment()).toBe("2@2");
  });

  it("eviction does not break stubs: the old stub reaches the next instance", async () => {
    const stub = counter();
    expect(await stub.increment()).toBe("1@1");
    runtime!.evictAllDurableObjects();
    expect(await stub.increment()).toBe("2@2");
  });
});

describe("runDurableObjectAlarm() on an alarm that calls ctx.abort()", () => {
  it("rejects with the abort's reason, and the alarm stays for its retry", async () => {
    const stub = counter();
    await stub.armAbortingAlarm();
    await expect(runtime!.runDurableObjectAlarm(stub as never)).rejects.toMatchObject({
      name: "Error",
      message: "alarm reset",
      durableObjectReset: true,
    });
    expect(await runtime!.getDurableObjectStorage(stub as never).getAlarm()).not.toBeNull();
  });

  it("marks the error remote and a reset, as local workerd does", async () => {
    const stub = counter();
    await stub.armAbortingAlarm();
    const error = (await runtime!.runDurableObjectAlarm(stub as never).catch((thrown: unknown) => thrown)) as Record<string, unknown>;
    expect([error.message, error.remote, error.durableObjectReset]).toEqual(["alarm reset", true, true]);
  });
});

describe("ctx.abort() and its callers", () => {
  it("a call the object reset rejects with an own, enumerable durableObjectReset: true, and no remote", async () => {
    const error = (await counter()
      .resetNow()
      .catch((thrown: unknown) => thrown)) as Error & Record<string, unknown>;
    expect([error.name, error.message, error.durableObjectReset, error.remote]).toEqual(["Error", "reset on purpose", true, undefined]);
    expect(Object.getOwnPropertyDescriptor(error, "durableObjectReset")?.enumerable).toBe(true);
  });
});
