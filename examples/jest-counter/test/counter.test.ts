import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { env, runInDurableObject, getDurableObjectStorage } from "durabox/testing";
import { RpcTarget } from "cloudflare:workers";
import worker, { Counter } from "../src/index";

jest.mock("../src/greeting", () => ({ greet: (name: string) => `mocked greeting for ${name}` }));

describe("a counter", () => {
  it("counts over RPC and HTTP", async () => {
    const stub = env.COUNTER.getByName("rpc");
    expect(await stub.increment(2)).toBe(2);
    const response = await worker.fetch(new Request("http://x/?name=rpc&by=3"), env);
    expect(response).toBeInstanceOf(Response);
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
    const isCounter = await runInDurableObject(env.COUNTER.getByName("identity"), (instance) => instance instanceof Counter);
    expect(isCounter).toBe(true);
  });

  it("applies jest.mock to modules the object imports", async () => {
    const response = await env.COUNTER.getByName("mocked").fetch("http://x/greet");
    expect(await response.text()).toBe("mocked greeting for mocked");
  });

  it("returns values of the test's own realm from storage", async () => {
    const storage = getDurableObjectStorage(env.COUNTER.idFromName("realm"));
    await storage.put({ when: new Date(5), list: [1, 2], map: new Map([["a", { b: 1 }]]), error: new RangeError("x") });
    const all = await storage.list();
    expect(all).toBeInstanceOf(Map);
    expect(all.get("when")).toBeInstanceOf(Date);
    expect(all.get("list")).toBeInstanceOf(Array);
    expect(all.get("map")).toBeInstanceOf(Map);
    expect(all.get("error")).toBeInstanceOf(RangeError);
    await expect(storage.put("k", undefined)).rejects.toThrow(TypeError);
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

/** Lives in the test: the object reaches it through a stub, and its calls come back here. */
class Log extends RpcTarget {
  seen: number[] = [];
  record(value: number): void {
    this.seen.push(value);
  }
}

it("sends the test's own RpcTarget and functions to the object, which calls them back", async () => {
  const stub = env.COUNTER.getByName("rpc-callbacks");
  const log = new Log();
  expect(await stub.incrementAndLog(log)).toBe(1);
  expect(log.seen).toEqual([1]);

  const values: number[] = [];
  await stub.countWith(2, (value: number) => void values.push(value));
  expect(values).toEqual([2, 3]);

  // An error thrown by the test's callback reaches the test as its own realm's TypeError.
  const failed = await stub
    .countWith(1, () => {
      throw new TypeError("from the callback");
    })
    .catch((error: unknown) => error);
  expect(failed).toBeInstanceOf(TypeError);
  expect((failed as Error).message).toBe("from the callback");
});
