import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AlarmScheduler, FIRST_RETRY_DELAY_MS } from "../../src/objects/alarms/scheduler.js";
import type { Clock, ClockChange, ClockListener } from "../../src/base/realm-clock.js";
import { Durabox } from "../../src/index.js";
import type { ObjectAddress } from "../../src/storage/address.js";

/** A clock the test moves by hand: the scheduler's view of time, without any timer library. */
class ManualClock implements Clock {
  time = 1_000_000;
  readonly faked = true;
  #timers: { at: number; fn: () => void; live: boolean }[] = [];
  #listeners = new Set<ClockListener>();
  now(): number {
    return this.time;
  }
  setTimer(fn: () => void, ms: number) {
    const timer = { at: this.time + ms, fn, live: true };
    this.#timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }
  onChange(listener: ClockListener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Moves time on, firing timers in time order as it passes them. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.#timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      next.live = false;
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
  change(change: ClockChange): void {
    for (const listener of this.#listeners) listener.clockChanged(change);
  }
  get pendingTimers(): number {
    return this.#timers.filter((t) => t.live).length;
  }
}

const at = (id: string): ObjectAddress => ({ namespace: "test#Clocked", id });

describe("AlarmScheduler on a clock it is given", () => {
  it("fires alarms that came due as the clock advances, in time order, and not before", async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const scheduler = new AlarmScheduler(async (address) => (fired.push(address.id), "ran"), true, clock);
    scheduler.schedule(at("late"), clock.time + 3_600_000);
    scheduler.schedule(at("early"), clock.time + 60_000);
    clock.advance(59_999);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(["early"]);
    clock.advance(3_600_000);
    expect(fired).toEqual(["early", "late"]);
    expect(scheduler.pending()).toEqual([]);
  });

  it("retries a throwing alarm 2 s, 4 s, 8 s later on the clock, with the retry count", async () => {
    const clock = new ManualClock();
    const calls: { retryCount: number; time: number }[] = [];
    const scheduler = new AlarmScheduler(
      async (_address, retryCount) => {
        calls.push({ retryCount, time: clock.time });
        if (retryCount < 3) throw new Error("not yet");
        return "ran";
      },
      true,
      clock,
    );
    const start = clock.time + 10;
    scheduler.schedule(at("a"), start);
    clock.advance(10);
    for (const wait of [2000, 4000, 8000]) {
      await vi.waitFor(() => expect(scheduler.scheduledTime(at("a"))).toBeDefined());
      clock.advance(wait - 1);
      const before = calls.length;
      clock.advance(1);
      expect(calls.length).toBe(before + 1);
    }
    expect(calls).toEqual([
      { retryCount: 0, time: start },
      { retryCount: 1, time: start + FIRST_RETRY_DELAY_MS },
      { retryCount: 2, time: start + 3 * FIRST_RETRY_DELAY_MS },
      { retryCount: 3, time: start + 7 * FIRST_RETRY_DELAY_MS },
    ]);
  });

  it("arms every pending alarm again when the timers change or the time is set, firing none until the clock advances", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const scheduler = new AlarmScheduler(async (address) => (fired.push(address.id), "ran"), true, clock);
    scheduler.schedule(at("b"), clock.time + 2000);
    scheduler.schedule(at("a"), clock.time + 1000);
    scheduler.schedule(at("c"), clock.time + 9000);
    expect(clock.pendingTimers).toBe(3);
    clock.change("timers");
    // The old timers are cancelled, new ones armed.
    expect(clock.pendingTimers).toBe(3);
    // A jump of the system time passes a and b: as it fires no timer, neither fires; both are due at
    // the next advance, soonest first; c waits for its own time.
    clock.time += 5000;
    clock.change("time");
    expect(fired).toEqual([]);
    expect(scheduler.pending().map((a) => a.id)).toEqual(["a", "b", "c"]);
    clock.advance(0);
    expect(fired).toEqual(["a", "b"]);
    clock.advance(3999);
    expect(fired).toEqual(["a", "b"]);
    clock.advance(1);
    expect(fired).toEqual(["a", "b", "c"]);
  });

  it("watches no clock when alarms are not automatic, and stops watching when disposed", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const manual = new AlarmScheduler(async (address) => (fired.push(address.id), "ran"), false, clock);
    manual.schedule(at("a"), clock.time);
    clock.change("time");
    clock.advance(1);
    expect(fired).toEqual([]);
    const automatic = new AlarmScheduler(async (address) => (fired.push(address.id), "ran"), true, clock);
    automatic.dispose();
    automatic.schedule(at("b"), clock.time);
    clock.change("time");
    clock.advance(1);
    expect(fired).toEqual([]);
  });
});

// The same, end to end, on Vitest's own fake timers: worker code, the realm clock, storage and gates.
const script = `
  export class Clock {
    constructor(ctx) { this.ctx = ctx; }
    async fetch(request) {
      const url = new URL(request.url);
      const storage = this.ctx.storage;
      if (url.pathname === "/in") {
        const failures = Number(url.searchParams.get("fail") ?? "0");
        await storage.put("failures", failures);
        await storage.setAlarm(Date.now() + Number(url.searchParams.get("ms")));
        return Response.json({ now: Date.now(), alarm: await storage.getAlarm() });
      }
      return Response.json({ runs: (await storage.get("runs")) ?? [], alarm: await storage.getAlarm() });
    }
    async alarm(info) {
      const runs = (await this.ctx.storage.get("runs")) ?? [];
      runs.push({ at: Date.now(), retryCount: info.retryCount });
      await this.ctx.storage.put("runs", runs);
      if (info.retryCount < (await this.ctx.storage.get("failures"))) throw new Error("not yet");
    }
  }
  export class Notes {
    constructor(ctx) { this.ctx = ctx; ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS runs (at INTEGER)"); }
    async fetch(request) {
      if (new URL(request.url).pathname === "/in") {
        await this.ctx.storage.setAlarm(Date.now() + 60_000);
        return new Response("set");
      }
      if (new URL(request.url).pathname === "/bookmark") {
        const taken = await this.ctx.storage.getCurrentBookmark();
        return new Response(String(taken === (await this.ctx.storage.getBookmarkForTime(Date.now()))));
      }
      // A string body: Node's own Response.json() waits on queueMicrotask, which the last test fakes.
      return new Response(JSON.stringify(this.ctx.storage.sql.exec("SELECT at FROM runs").toArray().map((r) => r.at)));
    }
    alarm() { this.ctx.storage.sql.exec("INSERT INTO runs VALUES (?)", Date.now()); }
  }
  export default { fetch: () => new Response("") };`;

interface State {
  runs: { at: number; retryCount: number }[];
  alarm: number | null;
}

describe("fake timers drive alarms (Vitest's, in this realm)", () => {
  let mf: Durabox | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await mf?.dispose();
    mf = undefined;
  });
  const start = async () => {
    mf = new Durabox({ script, durableObjects: { CLOCK: "Clock", NOTES: { className: "Notes", useSQLite: true } } });
    const ns = await mf.getDurableObjectNamespace("CLOCK");
    const stub = ns.get(ns.idFromName("a"));
    const call = async (path: string): Promise<State> => (await stub.fetch(`http://x${path}`)).json() as Promise<State>;
    return { call, mf };
  };

  it("an alarm an hour away fires on advanceTimersByTime(3_600_000), with Date.now() the fake time inside", async () => {
    vi.useFakeTimers({ now: new Date("2030-01-01T00:00:00Z") });
    const { call } = await start();
    const set = (await call("/in?ms=3600000")) as unknown as { now: number; alarm: number };
    expect(set.now).toBe(Date.parse("2030-01-01T00:00:00Z"));
    vi.advanceTimersByTime(3_599_999);
    expect((await call("/")).runs).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(await call("/")).toEqual({ runs: [{ at: set.alarm, retryCount: 0 }], alarm: null });
  });

  it("steps through retries 2 s, 4 s, 8 s apart with the async variant", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=1000&fail=3");
    const t0 = Date.now() + 1000;
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(4000);
    expect((await call("/")).runs.map((r) => r.retryCount)).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(7999);
    expect((await call("/")).runs).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(await call("/")).toEqual({
      runs: [
        { at: t0, retryCount: 0 },
        { at: t0 + 2000, retryCount: 1 },
        { at: t0 + 6000, retryCount: 2 },
        { at: t0 + 14000, retryCount: 3 },
      ],
      alarm: null,
    });
  });

  it("runAllTimers and runOnlyPendingTimers fire pending alarms", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=86400000");
    vi.runOnlyPendingTimers();
    expect((await call("/")).runs).toHaveLength(1);
    await call("/in?ms=60000");
    vi.runAllTimers();
    expect((await call("/")).runs).toHaveLength(2);
  });

  it("fires when the fake timer fires even with Date left real (toFake without Date, Jest's legacy timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { call } = await start();
    await call("/in?ms=3600000");
    vi.advanceTimersByTime(3_600_000);
    expect((await call("/")).runs).toHaveLength(1);
  });

  it("advanceTimersToNextTimer fires the next alarm", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=604800000");
    vi.advanceTimersToNextTimer();
    expect((await call("/")).runs).toHaveLength(1);
  });

  it("setSystemTime past an alarm fires nothing (it fires no timer); the next advance fires it", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=60000");
    vi.setSystemTime(Date.now() + 30_000);
    vi.setSystemTime(Date.now() + 30_000);
    expect((await call("/")).runs).toEqual([]);
    vi.advanceTimersByTime(0);
    expect((await call("/")).runs).toHaveLength(1);
  });

  it("setSystemTime then runDurableObjectAlarm's runAlarm: the alarm runs once, whatever the clock says", async () => {
    vi.useFakeTimers();
    const { call, mf } = await start();
    await call("/in?ms=60000");
    vi.setSystemTime(Date.now() + 61_000);
    const id = (await mf.getDurableObjectNamespace("CLOCK")).idFromName("a");
    expect(await mf.internals.objects.runAlarm(id as never)).toBe(true);
    vi.runAllTimers();
    expect((await call("/")).runs).toHaveLength(1);
    expect(await mf.internals.objects.runAlarm(id as never)).toBe(false);
  });

  it("moves an alarm armed on real timers onto fake timers installed later", async () => {
    const { call } = await start();
    await call("/in?ms=60000");
    vi.useFakeTimers();
    vi.advanceTimersByTime(60_000);
    expect((await call("/")).runs).toHaveLength(1);
  });

  it("moves an alarm armed on fake timers back onto real ones when they are removed", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=50");
    vi.useRealTimers();
    await vi.waitFor(async () => expect((await call("/")).runs).toHaveLength(1), { timeout: 2000 });
  });

  it("arms alarms again after vi.clearAllTimers()", async () => {
    vi.useFakeTimers();
    const { call } = await start();
    await call("/in?ms=1000");
    vi.clearAllTimers();
    vi.advanceTimersByTime(1000);
    expect((await call("/")).runs).toHaveLength(1);
  });

  it("keeps storage, gates and SQLite commits working when every timer is faked (Jest's default, queueMicrotask included)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "Date", "queueMicrotask"] });
    const { mf: runtime } = await start();
    const ns = await runtime.getDurableObjectNamespace("NOTES");
    const notes = ns.get(ns.idFromName("n"));
    expect(await (await notes.fetch("http://x/in")).text()).toBe("set");
    vi.advanceTimersByTime(60_000);
    expect(JSON.parse(await (await notes.fetch("http://x/")).text())).toEqual([Date.now()]);
  });

  it("commits a SQLite write made from outside the object though queueMicrotask is faked", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-fake-microtask-"));
    const options = { script, durableObjects: { NOTES: { className: "Notes", useSQLite: true } }, durableObjectsPersist: dir };
    vi.useFakeTimers({ toFake: ["queueMicrotask"] });
    const first = new Durabox(options);
    const id = (await first.getDurableObjectNamespace("NOTES")).idFromName("n");
    (await first.getDurableObjectStorage(id)).kv.put("kept", true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    vi.useRealTimers();
    await first.dispose();
    mf = new Durabox(options);
    const ns = await mf.getDurableObjectNamespace("NOTES");
    expect((await mf.getDurableObjectStorage(ns.idFromName("n"))).kv.get("kept")).toBe(true);
  });

  it("times bookmarks by the fake clock, installed after the database opened (getBookmarkForTime(Date.now()) finds the one just taken)", async () => {
    const { mf: runtime } = await start();
    const ns = await runtime.getDurableObjectNamespace("NOTES");
    const notes = ns.get(ns.idFromName("b"));
    await notes.fetch("http://x/");
    vi.useFakeTimers({ now: new Date("2001-02-03T04:05:06Z") });
    expect(await (await notes.fetch("http://x/bookmark")).text()).toBe("true");
  });

  it("newUniqueId() embeds the fake time (durabox's own Date.now() reads the fake clock)", async () => {
    vi.useFakeTimers({ now: new Date("2031-05-06T07:08:09Z") });
    const { mf: runtime } = await start();
    const ns = await runtime.getDurableObjectNamespace("CLOCK");
    const id = ns.newUniqueId().toString();
    expect(Number(BigInt(`0x${id.slice(2, 18)}`))).toBe(Date.parse("2031-05-06T07:08:09Z"));
  });
});
