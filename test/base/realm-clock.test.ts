import { describe, expect, it } from "vitest";
import { realmClock, type ClockChange } from "../../src/base/realm-clock.js";
import { realSetTimeout } from "../../src/base/clock.js";

/** A stand-in realm global: the watch is installed on whatever global it is given. */
function realm(): typeof globalThis {
  return { setTimeout: realSetTimeout, clearTimeout, Date } as unknown as typeof globalThis;
}

/** The clock holds listeners weakly: the tests keep theirs here. */
const kept: object[] = [];

function listen(clock: ReturnType<typeof realmClock>): ClockChange[] {
  const heard: ClockChange[] = [];
  const listener = { clockChanged: (change: ClockChange) => heard.push(change) };
  clock.onChange(listener);
  kept.push(listener);
  return heard;
}

describe("realmClock", () => {
  it("hears fake timers installed and removed by assignment, through every copy's clock of the realm", async () => {
    const global = realm();
    const first = listen(realmClock(global));
    const second = listen(realmClock(global));
    const fake = Object.assign((() => 0) as unknown as typeof setTimeout, {});
    global.setTimeout = fake;
    expect(global.setTimeout).toBe(fake);
    expect(realmClock(global).faked).toBe(true);
    global.setTimeout = realSetTimeout;
    expect(realmClock(global).faked).toBe(false);
    expect(first).toEqual(["timers", "timers"]);
    expect(second).toEqual(["timers", "timers"]);
  });

  it("sets timers on the realm's timers of the moment, and cancels each on its own", () => {
    const global = realm();
    const clock = realmClock(global);
    const set: number[] = [];
    const cleared: unknown[] = [];
    global.setTimeout = ((_fn: () => void, ms: number) => (set.push(ms), "fake-handle")) as unknown as typeof setTimeout;
    global.clearTimeout = ((handle: unknown) => void cleared.push(handle)) as typeof clearTimeout;
    const timer = clock.setTimer(() => {}, 2 ** 40);
    // Capped at the longest delay a timer takes.
    expect(set).toEqual([2 ** 31 - 1]);
    global.clearTimeout = clearTimeout;
    timer.cancel();
    expect(cleared).toEqual(["fake-handle"]);
  });

  it("hooks a fake-timers clock's setSystemTime ('time') and reset ('timers')", async () => {
    const global = realm();
    const heard = listen(realmClock(global));
    const fakeClock = {
      now: 0,
      setSystemTime(now: number) {
        this.now = now;
      },
      reset() {},
    };
    const fake = Object.assign((() => 0) as unknown as typeof setTimeout, { clock: fakeClock });
    global.setTimeout = fake;
    // The library marks its function after assigning it: the watch looks once the assignment is done.
    await Promise.resolve();
    fakeClock.setSystemTime(5);
    fakeClock.reset();
    expect(fakeClock.now).toBe(5);
    expect(heard).toEqual(["timers", "time", "timers"]);
  });

  it("leaves a setTimeout it may not redefine alone, and still follows it when arming", () => {
    const global = realm();
    Object.defineProperty(global, "setTimeout", { value: realSetTimeout, writable: false, configurable: false });
    const clock = realmClock(global);
    expect(Object.getOwnPropertyDescriptor(global, "setTimeout")?.value).toBe(realSetTimeout);
    expect(clock.faked).toBe(false);
    clock.setTimer(() => {}, 1).cancel();
  });
});
