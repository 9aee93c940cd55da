import { describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { FIRST_RETRY_DELAY_MS } from "../../src/objects/alarms/scheduler.js";
import type { DurableObjectState } from "../../src/objects/state.js";

interface AlarmInfo {
  retryCount: number;
  isRetry: boolean;
}

type AbortOptions = { retryAlarm?: boolean };
type AbortingState = DurableObjectState & { abort(reason?: string, options?: AbortOptions): never };

/** An object whose first alarm() calls ctx.abort(reason, options); later ones succeed. */
function abortingAlarm(reason: string | undefined, options?: AbortOptions) {
  const calls: AlarmInfo[] = [];
  const after: string[] = [];
  class Alarmed {
    constructor(readonly state: AbortingState) {}
    async alarm(info: AlarmInfo): Promise<void> {
      calls.push(info);
      if (calls.length > 1) return;
      try {
        if (options === undefined) this.state.abort(reason);
        else this.state.abort(reason, options);
      } catch {
        // Production's abort cannot be caught: the alarm still fails.
      }
      after.push("ran on after abort()");
    }
  }
  return { Alarmed, calls, after };
}

const address = (id: { toString(): string }) => ({ namespace: "test#Alarmed", id: id.toString() });

describe("ctx.abort() inside alarm()", () => {
  it("retries the alarm about 2 s later with retryCount 1 (isRetry); runDurableObjectAlarm rejects with the reason", async () => {
    const { Alarmed, calls } = abortingAlarm("resetting");
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    // Due now: a retry goes no earlier than the alarm's own time.
    await runtime.storage(id).setAlarm(Date.now());
    const before = Date.now();
    await expect(runtime.runAlarm(id)).rejects.toMatchObject({ name: "Error", message: "resetting", durableObjectReset: true });
    const next = runtime.alarms.scheduledTime(address(id));
    expect(next?.retryCount).toBe(1);
    expect(next!.time - before).toBeGreaterThanOrEqual(FIRST_RETRY_DELAY_MS);
    expect(next!.time - before).toBeLessThan(FIRST_RETRY_DELAY_MS + 1000);
    expect(await runtime.storage(id).getAlarm()).not.toBeNull();
    // The retry runs on a fresh instance and succeeds.
    expect(await runtime.runAlarm(id)).toBe(true);
    expect(calls).toEqual([
      { retryCount: 0, isRetry: false },
      { retryCount: 1, isRetry: true },
    ]);
    expect(await runtime.storage(id).getAlarm()).toBeNull();
  });

  it("with { retryAlarm: false }: not retried, the alarm is gone; the caller still gets the reason", async () => {
    const { Alarmed, calls } = abortingAlarm("no retry", { retryAlarm: false });
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    await runtime.storage(id).setAlarm(Date.now() + 60_000);
    await expect(runtime.runAlarm(id)).rejects.toMatchObject({ name: "Error", message: "no retry", durableObjectReset: true });
    expect(runtime.alarms.scheduledTime(address(id))).toBeUndefined();
    expect(await runtime.storage(id).getAlarm()).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it("without a reason: workerd's own message", async () => {
    const { Alarmed } = abortingAlarm(undefined);
    const { runtime, ns } = runtimeWith({ Alarmed });
    const id = ns("Alarmed").idFromName("a");
    await runtime.storage(id).setAlarm(Date.now() + 60_000);
    await expect(runtime.runAlarm(id)).rejects.toMatchObject({
      name: "Error",
      message: "Application called abort() to reset Durable Object.",
      durableObjectReset: true,
    });
  });

  it("refuses options that are not { retryAlarm?: boolean }", async () => {
    class Checked {
      constructor(readonly state: AbortingState) {}
      check(options: unknown): string {
        try {
          this.state.abort("x", options as AbortOptions);
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
        return "did not throw";
      }
    }
    const { runtime, ns } = runtimeWith({ Checked });
    const id = ns("Checked").newUniqueId();
    const check = (options: unknown) => runtime.instance(id).deliver(0, (object) => (object as Checked).check(options));
    expect(await check({ retryAlarm: "no" })).toBe(
      'TypeError: ctx.abort() options must be { retryAlarm?: boolean }, but retryAlarm was "no".',
    );
  });
});

describe("ctx.abort() in any event", () => {
  it("throws, so no code after it runs, and fails the calls running or queued in the object with the reason", async () => {
    const ran: string[] = [];
    class Worker {
      constructor(readonly state: AbortingState) {}
      wait(): Promise<never> {
        return new Promise(() => {});
      }
      stop(): void {
        this.state.abort("stopped");
        ran.push("after abort()");
      }
    }
    const { runtime, ns } = runtimeWith({ Worker });
    const id = ns("Worker").newUniqueId();
    const call = <T>(fn: (object: Worker) => T) => runtime.instance(id).deliver(0, (object) => fn(object as Worker));
    const waiting = call((object) => object.wait());
    const stopping = call((object) => object.stop());
    await expect(stopping).rejects.toMatchObject({ name: "Error", message: "stopped", durableObjectReset: true });
    await expect(waiting).rejects.toMatchObject({ name: "Error", message: "stopped", durableObjectReset: true });
    expect(ran).toEqual([]);
    // The next call constructs a fresh instance.
    await expect(call(() => "fresh")).resolves.toBe("fresh");
  });
});
