import { afterEach, describe, expect, it } from "vitest";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { registerTestRuntime } from "../../src/testing/registry.js";
import * as helpers from "../../src/testing/index.js";
import type { DurableObjectNamespace } from "../../src/index.js";

const script = `
  export class Counter {
    constructor(state) { this.state = state; }
    async fetch() {
      const n = ((await this.state.storage.get("n")) ?? 0) + 1;
      await this.state.storage.put("n", n);
      return new Response(String(n));
    }
    async alarm() { await this.state.storage.put("alarmed", true); }
  }
  export class Room { constructor(state) { this.state = state; } }
  export default { fetch() { return new Response("ok"); } }`;

let runtime: TestRuntime | undefined;
const use = (durableObjects: Record<string, string>): TestRuntime => {
  runtime = new TestRuntime({ script, durableObjects });
  registerTestRuntime(globalThis, runtime);
  return runtime;
};
afterEach(async () => {
  registerTestRuntime(globalThis, undefined);
  await runtime?.dispose();
});

describe("Miniflare 2's helpers take a string id, as Miniflare 2 did", () => {
  it("a name picks the object of the worker's one Durable Object binding, in every helper", async () => {
    const env = use({ COUNTER: "Counter" }).env as { COUNTER: DurableObjectNamespace };
    const storage = await helpers.getMiniflareDurableObjectStorage("test");
    await storage.put("n", 41);
    const stub = env.COUNTER.get(env.COUNTER.idFromName("test"));
    expect(await (await stub.fetch("http://x/")).text()).toBe("42");
    const state = await helpers.getMiniflareDurableObjectState("test");
    expect(state.id.toString()).toBe(env.COUNTER.idFromName("test").toString());
    const instance = await helpers.getMiniflareDurableObjectInstance<{ state: unknown }>("test");
    expect(instance.state).toBe(state);
    expect(await helpers.runWithMiniflareDurableObjectGates(state, () => state.storage.get("n"))).toBe(42);
    await state.storage.setAlarm(Date.now() + 60_000);
    await helpers.flushMiniflareDurableObjectAlarms(["test"]);
    expect(await storage.get("alarmed")).toBe(true);
  });

  it("an id's hex digits pick that id, of whichever binding it belongs to", async () => {
    const env = use({ COUNTER: "Counter", ROOM: "Room" }).env as { COUNTER: DurableObjectNamespace; ROOM: DurableObjectNamespace };
    const id = env.ROOM.newUniqueId();
    const state = await helpers.getMiniflareDurableObjectState(id.toString());
    expect(state.id.toString()).toBe(id.toString());
    expect(state.id.equals(id)).toBe(true);
  });

  it("a name with several bindings, or a foreign id, fails naming the helper called and what to pass", async () => {
    use({ COUNTER: "Counter", ROOM: "Room" });
    await expect(helpers.getMiniflareDurableObjectState("test")).rejects.toThrow(
      'getMiniflareDurableObjectState("test"): a name picks an object only when the worker has one Durable Object binding, and it has 2 (COUNTER, ROOM). Pass an id instead, such as env.COUNTER.idFromName("test").',
    );
    await expect(helpers.getMiniflareDurableObjectStorage("f".repeat(64))).rejects.toThrow(
      `getMiniflareDurableObjectStorage("${"f".repeat(64)}"): that is not an id of any Durable Object binding of this worker (COUNTER, ROOM).`,
    );
  });

  it("errors for a value that is no id name the Miniflare 2 helper called, not durabox's own", async () => {
    use({ COUNTER: "Counter" });
    await expect(helpers.getMiniflareDurableObjectStorage({} as never)).rejects.toThrow(/^getMiniflareDurableObjectStorage\(\) expects/);
    await expect(helpers.getMiniflareDurableObjectInstance(42 as never)).rejects.toThrow(/^getMiniflareDurableObjectInstance\(\) expects/);
    await expect(helpers.flushMiniflareDurableObjectAlarms([null as never])).rejects.toThrow(
      /^flushMiniflareDurableObjectAlarms\(\) expects/,
    );
    await expect(helpers.runWithMiniflareDurableObjectGates({} as never, () => 1)).rejects.toThrow(
      /^runWithMiniflareDurableObjectGates\(\) expects/,
    );
  });
});
