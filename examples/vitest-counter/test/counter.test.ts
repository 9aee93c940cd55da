import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { env, runInDurableObject, getDurableObjectStorage } from "durabox/testing";
import { Counter } from "../src/index";
import worker from "../src/index";

vi.mock("../src/greeting", () => ({ greet: (name: string) => `mocked greeting for ${name}` }));

describe("a counter", () => {
  it("counts over RPC and HTTP", async () => {
    const stub = env.COUNTER.getByName("rpc");
    expect(await stub.increment(2)).toBe(2);
    const response = await worker.fetch(new Request("http://x/?name=rpc&by=3"), env);
    expect(await response.json()).toEqual({ value: 5, calls: 2 });
  });

  it("writes in one test...", async () => {
    await env.COUNTER.getByName("isolated").increment(10);
    expect(await getDurableObjectStorage(env.COUNTER.idFromName("isolated")).get("value")).toBe(10);
  });

  it("...and the next test starts from empty storage", async () => {
    expect(await getDurableObjectStorage(env.COUNTER.idFromName("isolated")).get("value")).toBeUndefined();
  });

  it("constructs the class the test imports, so instanceof holds", async () => {
    const stub = env.COUNTER.getByName("identity");
    const isCounter = await runInDurableObject(stub, (instance) => instance instanceof Counter);
    expect(isCounter).toBe(true);
  });

  it("applies vi.mock to modules the object imports", async () => {
    const response = await env.COUNTER.getByName("mocked").fetch("http://x/greet");
    expect(await response.text()).toBe("mocked greeting for mocked");
  });

  it("keeps instance fields to one test: a field set here...", async () => {
    await env.COUNTER.getByName("fields").increment();
    await env.COUNTER.getByName("fields").increment();
    expect(await runInDurableObject(env.COUNTER.getByName("fields"), (instance: Counter) => instance.calls)).toBe(2);
  });

  it("...is not seen by the next test", async () => {
    expect(await runInDurableObject(env.COUNTER.getByName("fields"), (instance: Counter) => instance.calls)).toBe(0);
  });

  it("runs an alarm on demand", async () => {
    const stub = env.COUNTER.getByName("alarmed");
    await stub.increment(5);
    await stub.scheduleReset(60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getDurableObjectStorage(stub).get("value")).toBeUndefined();
  });

  it("sets an alarm in one test...", async () => {
    const stub = env.COUNTER.getByName("pending-alarm");
    await stub.increment(1);
    await stub.scheduleReset(30);
  });

  it("...that does not fire in the next", async () => {
    await new Promise((resolve) => setTimeout(resolve, 60));
    const storage = getDurableObjectStorage(env.COUNTER.idFromName("pending-alarm"));
    expect(await storage.getAlarm()).toBeNull();
    expect(await listDurableObjectIds(env.COUNTER)).toEqual([]);
  });
});

describe("data written in beforeAll", () => {
  beforeAll(async () => {
    await env.COUNTER.getByName("shared").increment(100);
  });

  it("is seen by the block's first test", async () => {
    expect(await env.COUNTER.getByName("shared").increment()).toBe(101);
  });

  it("and by the next, without the first test's write", async () => {
    expect(await env.COUNTER.getByName("shared").increment()).toBe(101);
  });

  describe("in a nested block", () => {
    beforeAll(async () => {
      await env.COUNTER.getByName("shared").increment(1000);
    });
    it("sees both blocks' beforeAll writes", async () => {
      expect(await getDurableObjectStorage(env.COUNTER.idFromName("shared")).get("value")).toBe(1100);
    });
  });

  afterAll(async () => {
    expect(await getDurableObjectStorage(env.COUNTER.idFromName("shared")).get("value")).toBe(100);
  });
});

describe("after the block", () => {
  it("its beforeAll data is gone", async () => {
    expect(await getDurableObjectStorage(env.COUNTER.idFromName("shared")).get("value")).toBeUndefined();
  });
});
