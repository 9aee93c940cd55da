import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { runtimeWith } from "../helpers/runtime.js";
import { FIRST_RETRY_DELAY_MS, MAX_ALARM_RETRIES } from "../../src/objects/alarms/scheduler.js";
import type { DurableObjectState } from "../../src/objects/state.js";

interface AlarmInfo {
  retryCount: number;
  isRetry: boolean;
}

function alarmClass(behaviour: (info: AlarmInfo, state: DurableObjectState) => void | Promise<void>) {
  const calls: AlarmInfo[] = [];
  class Alarmed {
    constructor(readonly state: DurableObjectState) {}
    async alarm(info: AlarmInfo): Promise<void> {
      calls.push(info);
      await behaviour(info, this.state);
    }
  }
  return { Alarmed, calls };
}

const address = (id: { toString(): string }) => ({ namespace: "test#Alarmed", id: id.toString() });

describe("alarms", () => {
  it("one per object: set, get, replace, delete", async () => {
    const { Alarmed } = alarmClass(() => {});
    const { runtime, ns } = runtimeWith({ Alarmed });
    const storage = runtime.storage(ns("Alarmed").idFromName("a"));
    const t1 = Date.now() + 60_000;
    await storage.setAlarm(t1);
    expect(await storage.getAlarm()).toBe(t1);
    await storage.setAlarm(new Date(t1 + 1000));
    expect(await storage.getAlarm()).toBe(t1 + 1000);
    expect(runtime.alarms.pending()).toHaveLength(1);
    await storage.deleteAlarm();
    expect(await storage.getAlarm()).toBeNull();
    expect(runtime.alarms.pending()).toHaveLength(0);
  });

  it("fires by itself at its time, then is cleared", async () => {
    let fired!: () => void;
    const firedPromise = new Promise<void>((resolve) => (fired = resolve));
    const { Alarmed, calls } = alarmClass(() => fired());
    const { runtime, ns } = runtimeWith({ Alarmed }, { automaticAlarms: true });
    const storage = runtime.storage(ns("Alarmed").idFromName("a"));
    const at = Date.now() + 30;
    await storage.setAlarm(at);
    await firedPromise;
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    expect(calls).toEqual([{ retryCount: 0, isRetry: false }]);
    await new Promise((r) => setTimeout(r, 5));
    expect(await storage.getAlarm()).toBeNull();
    runtime.alarms.dispose();
  });

  it("does not fire by itself when automatic alarms are off; runs on demand", async () => {
    const { Alarmed, calls } = alarmClass(() => {});
    const { runtime, ns } = runtimeWith({ Alarmed }, { automaticAlarms: false });
    const id = ns("Alarmed").idFromName("a");
    await runtime.storage(id).setAlarm(Date.now() + 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual([]);
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(await runtime.runAlarm(id)).toBe(false);
  });

  it("retries a throwing alarm with exponential backoff, up to 6 retries, then gives up", async () => {
    const { Alarmed, calls } = alarmClass(() => {
      throw new Error("alarm failed");
    });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    const storage = runtime.storage(id);
    await storage.setAlarm(Date.now() + 1000);
    for (let attempt = 0; attempt <= MAX_ALARM_RETRIES; attempt++) {
      const before = Date.now();
      await expect(runtime.runAlarm(id)).rejects.toThrow("alarm failed");
      const next = runtime.alarms.scheduledTime(address(id));
      if (attempt < MAX_ALARM_RETRIES) {
        expect(next?.retryCount).toBe(attempt + 1);
        const delay = next!.time - before;
        expect(delay).toBeGreaterThanOrEqual(FIRST_RETRY_DELAY_MS * 2 ** attempt);
        expect(delay).toBeLessThan(FIRST_RETRY_DELAY_MS * 2 ** attempt + 1000);
      } else {
        expect(next).toBeUndefined();
      }
    }
    expect(calls).toEqual(Array.from({ length: MAX_ALARM_RETRIES + 1 }, (_, i) => ({ retryCount: i, isRetry: i > 0 })));
    expect(await storage.getAlarm()).toBeNull();
  });

  it("succeeds on a retry and clears the alarm", async () => {
    let failures = 1;
    const { Alarmed, calls } = alarmClass(() => {
      if (failures-- > 0) throw new Error("once");
    });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    await runtime.storage(id).setAlarm(Date.now() + 1000);
    await expect(runtime.runAlarm(id)).rejects.toThrow("once");
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(calls.map((c) => c.isRetry)).toEqual([false, true]);
    expect(await runtime.storage(id).getAlarm()).toBeNull();
  });

  it("keeps an alarm the handler set for the next time", async () => {
    const { Alarmed } = alarmClass(async (_info, state) => {
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    await runtime.storage(id).setAlarm(Date.now() + 10);
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(await runtime.storage(id).getAlarm()).toBeGreaterThan(Date.now() + 50_000);
    expect(runtime.alarms.pending()).toHaveLength(1);
  });

  it("flushes every scheduled alarm, or those of given ids", async () => {
    const { Alarmed, calls } = alarmClass(() => {});
    const { runtime, ns } = runtimeWith({ Alarmed });
    const ids = ["a", "b", "c"].map((n) => ns("Alarmed").idFromName(n));
    for (const id of ids) await runtime.storage(id).setAlarm(Date.now() + 60_000);
    await runtime.flushAlarms([ids[0]!]);
    expect(calls).toHaveLength(1);
    await runtime.flushAlarms();
    expect(calls).toHaveLength(3);
    expect(runtime.alarms.pending()).toEqual([]);
  });

  it("runs the alarm through the input gate, after events already queued", async () => {
    const log: string[] = [];
    class Alarmed {
      constructor(readonly state: DurableObjectState) {}
      async fetch(): Promise<Response> {
        await this.state.storage.get("x");
        log.push("fetch");
        return new Response("ok");
      }
      alarm(): void {
        log.push("alarm");
      }
    }
    const { runtime, ns } = runtimeWith({ Alarmed });
    const stub = ns("Alarmed").getByName("a");
    await runtime.storage(stub.id).setAlarm(Date.now() + 60_000);
    await Promise.all([stub.fetch("http://x/"), stub.fetch("http://x/"), runtime.runAlarm(stub.id)]);
    expect(log).toEqual(["fetch", "fetch", "alarm"]);
  });
});

describe("alarm() as production runs it", () => {
  it("counts an alarm() handler assigned in the constructor for setAlarm, even one assigned after setAlarm is called there", async () => {
    const ran: string[] = [];
    class Assigned {
      alarm: () => void;
      constructor(readonly state: DurableObjectState) {
        this.alarm = () => void ran.push("assigned");
      }
    }
    class AssignedLater {
      alarm: (() => void) | undefined;
      constructor(readonly state: DurableObjectState) {
        void state.blockConcurrencyWhile(() => state.storage.setAlarm(Date.now() + 60_000));
        this.alarm = () => void ran.push("later");
      }
    }
    class Without {
      constructor(readonly state: DurableObjectState) {}
    }
    const { runtime, ns } = runtimeWith({ Assigned, AssignedLater, Without });
    const inside = (className: string) => {
      const id = ns(className).idFromName("a");
      return { id, run: <R>(fn: (o: { state: DurableObjectState }) => R) => runtime.instance(id).deliver(1, (o) => fn(o as never)) };
    };
    const assigned = inside("Assigned");
    await assigned.run((o) => o.state.storage.setAlarm(Date.now() + 60_000));
    expect(await runtime.runAlarm(assigned.id)).toBe(true);
    const later = inside("AssignedLater");
    expect(await later.run((o) => o.state.storage.getAlarm())).toBeGreaterThan(Date.now());
    expect(await runtime.runAlarm(later.id)).toBe(true);
    expect(ran).toEqual(["assigned", "later"]);
    await expect(inside("Without").run((o) => o.state.storage.setAlarm(Date.now() + 60_000))).rejects.toThrow(
      "Your Durable Object class must have an alarm() handler in order to call setAlarm()",
    );
  });

  it("keeps the alarm alarm() sets to the very time that is running", async () => {
    let again = true;
    const { Alarmed, calls } = alarmClass(async (_info, state) => {
      const time = (await state.storage.get<number>("time"))!;
      if (again) await state.storage.setAlarm(time);
      again = false;
    });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    const time = Date.now() + 60_000;
    await runtime.storage(id).put("time", time);
    await runtime.storage(id).setAlarm(time);
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(await runtime.storage(id).getAlarm()).toBe(time);
    expect(runtime.alarms.scheduledTime(address(id))).toEqual({ time, retryCount: 0 });
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(await runtime.storage(id).getAlarm()).toBeNull();
    expect(calls).toHaveLength(2);
  });

  it("answers getAlarm() with null inside alarm(), until the handler sets another, on a retry too", async () => {
    const seen: (number | null)[] = [];
    const outsideSeen: (number | null)[] = [];
    let failures = 1;
    const outside: { read?: () => Promise<number | null> } = {};
    const { Alarmed } = alarmClass(async (_info, state) => {
      seen.push(await state.storage.getAlarm());
      seen.push(await state.storage.transaction((txn) => txn.getAlarm()));
      // From outside (a test's helper) the stored alarm shows as it is.
      outsideSeen.push(await outside.read!());
      if (failures-- > 0) throw new Error("retry me");
      await state.storage.setAlarm(123_456_789_000);
      seen.push(await state.storage.getAlarm());
    });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    outside.read = () => runtime.storage(id).getAlarm();
    const time = Date.now() + 60_000;
    await runtime.storage(id).setAlarm(time);
    await expect(runtime.runAlarm(id)).rejects.toThrow("retry me");
    // Between attempts the alarm is there again.
    expect(await runtime.storage(id).getAlarm()).toBe(time);
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(seen).toEqual([null, null, null, null, 123_456_789_000]);
    expect(outsideSeen).toEqual([time, time]);
    expect(await runtime.storage(id).getAlarm()).toBe(123_456_789_000);
  });

  it("answers getAlarm() with null inside alarm() of a SQLite-backed object too", async () => {
    const script = `
      export class Notes {
        constructor(ctx) { this.ctx = ctx; }
        async fetch() { await this.ctx.storage.setAlarm(Date.now() + 60_000); return new Response(String(this.ctx.storage.kv.get("seen"))); }
        async alarm() { this.ctx.storage.kv.put("seen", await this.ctx.storage.getAlarm()); }
      }
      export default { fetch: () => new Response("") };`;
    const mf = new Durabox({ script, durableObjects: { NOTES: { className: "Notes", useSQLite: true } }, durableObjectsAlarms: false });
    try {
      const ns = await mf.getDurableObjectNamespace("NOTES");
      const stub = ns.get(ns.idFromName("a"));
      expect(await (await stub.fetch("http://x/")).text()).toBe("undefined");
      expect(await mf.runtime.runAlarm(stub.id)).toBe(true);
      expect(await (await stub.fetch("http://x/")).text()).toBe("null");
    } finally {
      await mf.dispose();
    }
  });
});
