import { describe, expect, it } from "vitest";
import { deferTestRuntime } from "../../src/testing/deferred-runtime.js";
import { DURABOX_GLOBAL_NAMES } from "../../src/testing/global-names.js";
import { peekRealmShared } from "../../src/base/shared-state.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { installGlobals } from "../../src/testing/globals.js";
import { installWebSocketGlobals } from "../../src/testing/workers-globals.js";
import { installWorkersGlobals } from "../../src/worker/workers-globals.js";
import type { DurableObjectNamespace } from "../../src/index.js";

const script = `
  export class Counter {
    constructor(state) { this.state = state; }
    async fetch() {
      const n = ((await this.state.storage.get("n")) ?? 0) + 1;
      await this.state.storage.put("n", n);
      return new Response(String(n));
    }
  }
  export default { fetch() { return new Response("ok"); } }`;
const options = { script, durableObjects: { COUNTER: "Counter" } };

/** A deferred runtime on a fresh global, with what loading it did. */
function deferred(names: readonly string[] = ["env", "getBindings"]): {
  global: Record<string, unknown>;
  loads: TestRuntime[];
  handle: ReturnType<typeof deferTestRuntime>;
} {
  const global: Record<string, unknown> = {};
  const loads: TestRuntime[] = [];
  const handle = deferTestRuntime(global, names, () => {
    const runtime = new TestRuntime(options);
    installGlobals(global);
    loads.push(runtime);
    return runtime;
  });
  return { global, loads, handle };
}

/** The runtime registered on `global` (what the helpers' registered(global) reads on a test file's global). */
const registered = (global: object): TestRuntime => peekRealmShared<TestRuntime>("testRuntime", global)!;

/** The count the Counter object answers with, through the runtime registered on `global`. */
async function count(global: object): Promise<string> {
  const namespace = registered(global).env.COUNTER as DurableObjectNamespace;
  return (await namespace.getByName("c").fetch("http://x/")).text();
}

describe("a test file's runtime, loaded when the file first uses it", () => {
  it("answers the runner's per-file and per-test calls without loading anything", async () => {
    const { global, loads, handle } = deferred();
    {
      const runtime = registered(global);
      await runtime.startFile();
      runtime.useModuleLoader(async () => ({}));
      const [suite, test] = [{}, {}];
      runtime.events.suiteStarted(suite);
      expect(runtime.events.testStarted(test)).toBeUndefined();
      await runtime.events.testRetried(test);
      await runtime.events.testEnded(test);
      await runtime.events.suiteEnded(suite);
      expect([runtime.created, runtime.envIfCreated]).toEqual([false, undefined]);
      await runtime.dispose();
      expect(loads).toEqual([]);
      expect(handle.runtime).toBeUndefined();
    }
  });

  it("loads on first use of anything else, once, and the registry then holds the real runtime", async () => {
    const { global, loads, handle } = deferred();
    {
      expect(await count(global)).toBe("1");
      expect(await count(global)).toBe("2");
      expect(loads).toHaveLength(1);
      expect(handle.runtime).toBe(loads[0]);
      expect(registered(global)).toBe(loads[0]);
      await handle.runtime?.dispose();
    }
  });

  it("a runtime first used inside a describe block and a test scopes as one used from the start", async () => {
    const { global, loads } = deferred();
    {
      const runtime = registered(global);
      const [suite, first, second] = [{}, {}, {}];
      runtime.events.suiteStarted(suite);
      // The block's beforeAll writes (the first use), then two tests each write once.
      expect(await count(global)).toBe("1");
      const real = loads[0]!;
      expect(real.events.testStarted(first)).toBeUndefined();
      expect(await count(global)).toBe("2");
      await real.events.testEnded(first);
      expect(real.events.testStarted(second)).toBeUndefined();
      expect(await count(global)).toBe("2");
      await real.events.testEnded(second);
      await real.events.suiteEnded(suite);
      // The block's write is rolled back with it.
      expect(await count(global)).toBe("1");
      await real.dispose();
    }
  });

  it("a test running when the runtime is first used is that runtime's scope: its writes end with it", async () => {
    const { global, loads } = deferred();
    {
      const test = {};
      expect(registered(global).events.testStarted(test)).toBeUndefined();
      expect(await count(global)).toBe("1");
      await loads[0]!.events.testEnded(test);
      expect(await count(global)).toBe("1");
      await loads[0]!.dispose();
    }
  });

  it("a concurrent test loads the runtime, whose policy refuses it", () => {
    const { global, loads } = deferred();
    {
      const refused = registered(global).events.testStarted({ concurrent: true });
      expect(loads).toHaveLength(1);
      expect(refused?.message).toMatch(/concurrent tests/);
    }
  });

  it("durabox's globals load it when first read; one the test assigned first keeps its value", async () => {
    const { global, loads } = deferred(["env", "getBindings", "getDurableObjectStorage"]);
    {
      global.getBindings = "mine";
      expect(loads).toEqual([]);
      expect(typeof global.getDurableObjectStorage).toBe("function");
      expect(loads).toHaveLength(1);
      // Installed by the runtime, no longer the loading accessor.
      expect(Object.getOwnPropertyDescriptor(global, "getDurableObjectStorage")).toMatchObject({ writable: true });
      expect(global.getBindings).toBe("mine");
      await loads[0]!.dispose();
    }
  });

  it("lists every global of durabox's own the environments install, and none of the platform's", () => {
    const global = { setTimeout, clearTimeout } as unknown as typeof globalThis;
    const before = new Set(Object.getOwnPropertyNames(global));
    installGlobals(global);
    installWebSocketGlobals(global, { lazy: true });
    installWorkersGlobals(global, { lazy: true });
    const platform = ["Response", "fetch", "crypto", "Request", "WebSocket"];
    const installed = Object.getOwnPropertyNames(global).filter((name) => !before.has(name) && !platform.includes(name));
    expect([...DURABOX_GLOBAL_NAMES].sort()).toEqual(installed.sort());
  });
});
