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
    await expect(runtime!.runDurableObjectAlarm(stub as never)).rejects.toThrow(new Error("alarm reset"));
    expect(await runtime!.getDurableObjectStorage(stub as never).getAlarm()).not.toBeNull();
  });
});
