// Alarms: the plugin's documented runDurableObjectAlarm pattern, fake timers
// (issue 19, item 6), ctx.abort() inside alarm() (item 7), retries.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rejection, unique } from "./helpers";

function stub() {
  return env.ALARMS.getByName(unique("alarm"));
}

/**
 * The alarm runs recorded within `ms` (sooner once there are `count`). Each
 * poll takes a fresh stub: ctx.abort() breaks the stubs connected before it.
 */
async function runsAfter(object: ReturnType<typeof stub>, ms: number, count: number) {
  const deadline = Date.now() + ms;
  const read = () => env.ALARMS.get(object.id).runs();
  while (Date.now() < deadline) {
    if ((await read()).length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return read();
}

afterEach(() => {
  vi.useRealTimers();
});

describe("alarms", () => {
  it("setAlarm, getAlarm, deleteAlarm", async () => {
    const result = await runInDurableObject(stub(), async (_instance, state) => {
      await state.storage.setAlarm(Date.now() + 60_000);
      const set = (await state.storage.getAlarm()) !== null;
      await state.storage.deleteAlarm();
      return [set, await state.storage.getAlarm()];
    });
    expect(result).toEqual([true, null]);
  });

  it("runDurableObjectAlarm runs a scheduled alarm and removes it", async () => {
    const object = stub();
    await object.schedule(Date.now() + 60_000);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await object.runs()).toHaveLength(1);
    expect(await runDurableObjectAlarm(object)).toBe(false);
  });

  it("runDurableObjectAlarm without an alarm returns false", async () => {
    expect(await runDurableObjectAlarm(stub())).toBe(false);
  });

  it("an alarm in the past runs by itself", async () => {
    const object = stub();
    await object.schedule(Date.now() + 10);
    expect(await runsAfter(object, 3000, 1)).toHaveLength(1);
  });

  it("setAlarm(0) is a TypeError", async () => {
    const message = await runInDurableObject(stub(), async (_instance, state) => {
      try {
        await state.storage.setAlarm(0);
        return "no error";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    expect(message).toBe("TypeError: setAlarm() cannot be called with an alarm time <= 0");
  });

  it("setSystemTime then runDurableObjectAlarm runs the alarm", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const object = stub();
    await object.schedule(Date.now() + 60_000);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await object.runs()).toHaveLength(1);
  });

  it("setSystemTime past an alarm's time does not run it", async () => {
    vi.useFakeTimers();
    const object = stub();
    await object.schedule(Date.now() + 60_000);
    vi.setSystemTime(Date.now() + 120_000);
    vi.useRealTimers();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await object.runs()).toEqual([]);
  });

  it("advancing fake timers does not run alarms (durabox's fake clock does, on purpose)", async () => {
    vi.useFakeTimers();
    const object = stub();
    await object.schedule(Date.now() + 60_000);
    await vi.advanceTimersByTimeAsync(120_000);
    vi.useRealTimers();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await object.runs()).toEqual([]);
  });

  it("a throwing alarm is retried with retryCount 1", async () => {
    const object = stub();
    await object.schedule(Date.now() + 10, "throw-once");
    const runs = await runsAfter(object, 6000, 2);
    expect(runs.map((run) => [run.retryCount, run.isRetry])).toEqual([
      [0, false],
      [1, true],
    ]);
  });
});

describe("ctx.abort() in alarm()", () => {
  it("retries the alarm by default", async () => {
    const object = stub();
    await object.schedule(Date.now() + 10, "abort");
    const runs = await runsAfter(object, 6000, 2);
    expect(runs.map((run) => [run.retryCount, run.isRetry])).toEqual([
      [0, false],
      [1, true],
    ]);
  });

  it("does not retry with retryAlarm: false", async () => {
    const object = stub();
    await object.schedule(Date.now() + 10, "abort-no-retry");
    const runs = await runsAfter(object, 4000, 2);
    expect(runs).toHaveLength(1);
  });

  it("runDurableObjectAlarm rejects with the abort reason", async () => {
    const object = stub();
    await object.schedule(Date.now() + 60_000, "abort");
    const error = await rejection(runDurableObjectAlarm(object));
    expect(error?.message).toBe("alarm aborted");
    expect([error?.remote, error?.durableObjectReset]).toEqual([true, true]);
  });
});

describe("runDurableObjectAlarm and a throwing alarm()", () => {
  it("rejects with the thrown error itself: neither remote nor a reset", async () => {
    const object = stub();
    await object.schedule(Date.now() + 60_000, "throw-once");
    const error = await rejection(runDurableObjectAlarm(object));
    expect([error?.name, error?.message, error?.remote, error?.durableObjectReset]).toEqual([
      "Error",
      "alarm failed once",
      undefined,
      undefined,
    ]);
  });
});

describe("abortAllDurableObjects", () => {
  it("breaks old stubs and keeps storage", async () => {
    const name = unique("abort");
    const old = env.RPC.getByName(name);
    expect(await old.increment()).toBe(1);
    await abortAllDurableObjects();
    const pinged = await rejection(old.ping());
    expect(pinged?.message).toBe("Application called abortAllDurableObjects().");
    expect(pinged?.durableObjectReset).toBeUndefined();
    expect((await rejection(old.fetch("https://example.com/")))?.message).toBe("Application called abortAllDurableObjects().");
    expect(await env.RPC.getByName(name).increment()).toBe(2);
  });
});
