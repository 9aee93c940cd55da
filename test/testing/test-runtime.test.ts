import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import type { DurableObjectNamespace } from "../../src/index.js";

const script = `
  export class Counter {
    constructor(state) { this.state = state; this.calls = 0; }
    async fetch() {
      this.calls++;
      const n = ((await this.state.storage.get("n")) ?? 0) + 1;
      await this.state.storage.put("n", n);
      return new Response(n + "/" + this.calls);
    }
    alarm() {}
  }
  export default { fetch() { return new Response("ok"); } }`;
const options = { script, durableObjects: { COUNTER: "Counter" } };
const counter = (runtime: TestRuntime) => (runtime.env.COUNTER as DurableObjectNamespace).getByName("c");

describe("TestRuntime", () => {
  it("is not created until used", () => {
    const runtime = new TestRuntime(options);
    runtime.enterScope();
    expect(runtime.created).toBe(false);
    expect(runtime.envIfCreated).toBeUndefined();
    void runtime.exitScope();
    expect(runtime.created).toBe(false);
  });

  it("rolls back storage, evicts instances and cancels alarms when a scope ends", async () => {
    const runtime = new TestRuntime(options);
    expect(await (await counter(runtime).fetch("http://x/")).text()).toBe("1/1");
    runtime.enterScope();
    expect(await (await counter(runtime).fetch("http://x/")).text()).toBe("2/2");
    await runtime.getDurableObjectStorage(counter(runtime)).setAlarm(Date.now() + 60_000);
    expect(runtime.durabox.runtime.alarms.pending()).toHaveLength(1);
    await runtime.exitScope();
    expect(runtime.durabox.runtime.alarms.pending()).toHaveLength(0);
    // Storage back to before the scope; a new instance (calls restarts at 1).
    expect(await (await counter(runtime).fetch("http://x/")).text()).toBe("2/1");
    await runtime.dispose();
  });

  it("catches up on scopes entered before it was created", async () => {
    const runtime = new TestRuntime(options);
    runtime.enterScope();
    runtime.enterScope();
    await counter(runtime).fetch("http://x/");
    await runtime.exitScope();
    expect(await runtime.getDurableObjectStorage(counter(runtime)).get("n")).toBeUndefined();
    await runtime.exitScope();
    await runtime.dispose();
  });

  it("refuses an unknown isolation mode", () => {
    expect(() => new TestRuntime({ ...options, isolation: "suite" as never })).toThrow(/"isolation" must be "test" or "file"/);
  });

  it("reads persisted data but leaves it unchanged, unless asked to keep test writes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-testruntime-"));
    const persisted = { ...options, durableObjectsPersist: dir };
    const seed = new Durabox(persisted);
    await (await seed.getDurableObjectNamespace("COUNTER")).getByName("c").fetch("http://x/");
    await seed.dispose();

    const tests = new TestRuntime(persisted);
    expect(await (await counter(tests).fetch("http://x/")).text()).toBe("2/1");
    await tests.dispose();
    const after = new Durabox(persisted);
    expect(await (await after.getDurableObjectStorage((await after.getDurableObjectNamespace("COUNTER")).idFromName("c"))).get("n")).toBe(
      1,
    );
    await after.dispose();

    const keeping = new TestRuntime({ ...persisted, durableObjectsPersistWrites: true });
    expect(await (await counter(keeping).fetch("http://x/")).text()).toBe("2/1");
    await keeping.dispose();
    const kept = new Durabox(persisted);
    expect(await (await kept.getDurableObjectStorage((await kept.getDurableObjectNamespace("COUNTER")).idFromName("c"))).get("n")).toBe(2);
    await kept.dispose();
  });
});
