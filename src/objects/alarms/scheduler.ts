import { addressKey, type ObjectAddress } from "../../storage/address.js";

import { MAX_TIMER_MS } from "../../base/clock.js";
import { realmClock, type Clock, type ClockChange, type ClockListener, type ClockTimer } from "../../base/realm-clock.js";

export const MAX_ALARM_RETRIES = 6;
export const FIRST_RETRY_DELAY_MS = 2000;

/** Errors of alarms that must not be retried (alarm() called `ctx.abort(reason, { retryAlarm: false })`). */
const notRetried = new WeakSet<object>();

/** Marks `error`, an alarm's failure, as final: the scheduler does not retry it. */
export function withoutRetry<E extends object>(error: E): E {
  notRetried.add(error);
  return error;
}

/** Runs one object's alarm; rejects when its alarm() threw. */
export type AlarmRunner = (address: ObjectAddress, retryCount: number) => Promise<AlarmOutcome>;
/** "ran": the handler ran (and succeeded); "none": there was no alarm to run. */
export type AlarmOutcome = "ran" | "none";

interface Scheduled {
  readonly address: ObjectAddress;
  time: number;
  retryCount: number;
  timer: ClockTimer | undefined;
}

/**
 * Fires each object's alarm at its time (one per object), and retries a
 * throwing alarm() with exponential backoff (2 s, 4 s, ... up to 6 retries),
 * as production does. With `automatic: false` nothing fires by itself; tests
 * run alarms with runNow/flush.
 *
 * Times are on `clock`: by default the realm's, so a test's fake timers
 * drive alarms (advancing them fires the alarms that came due, in order; a
 * fake setSystemTime fires nothing, as it fires no timer, and those it passed
 * fire at the next advance) and installing or removing fake timers moves
 * every pending alarm onto the new timers.
 */
export class AlarmScheduler implements ClockListener {
  readonly #scheduled = new Map<string, Scheduled>();
  readonly #run: AlarmRunner;
  readonly #automatic: boolean;
  readonly #clock: Clock;
  readonly #unwatch: () => void;
  #disposed = false;

  constructor(run: AlarmRunner, automatic: boolean, clock: Clock = realmClock()) {
    this.#run = run;
    this.#automatic = automatic;
    this.#clock = clock;
    this.#unwatch = automatic ? clock.onChange(this) : () => {};
  }

  /** (Re)schedules an object's alarm; a new time resets its retries. */
  schedule(address: ObjectAddress, time: number, retryCount = 0): void {
    if (this.#disposed) return;
    this.cancel(address);
    const entry: Scheduled = { address, time, retryCount, timer: undefined };
    this.#scheduled.set(addressKey(address), entry);
    this.#arm(entry);
  }

  cancel(address: ObjectAddress): void {
    const key = addressKey(address);
    const entry = this.#scheduled.get(key);
    if (entry === undefined) return;
    entry.timer?.cancel();
    this.#scheduled.delete(key);
  }

  /** When the object's alarm (or its next retry) fires, if one is scheduled. */
  scheduledTime(address: ObjectAddress): { time: number; retryCount: number } | undefined {
    const entry = this.#scheduled.get(addressKey(address));
    return entry && { time: entry.time, retryCount: entry.retryCount };
  }

  /** Objects with an alarm scheduled, soonest first. */
  pending(): ObjectAddress[] {
    return this.#soonestFirst().map((entry) => entry.address);
  }

  /** Runs an object's scheduled alarm now. Resolves false when none was scheduled. */
  async runNow(address: ObjectAddress): Promise<boolean> {
    const entry = this.#scheduled.get(addressKey(address));
    const retryCount = entry?.retryCount ?? 0;
    if (entry !== undefined) this.cancel(address);
    return (await this.#fire(address, retryCount, entry?.time)) === "ran";
  }

  dispose(): void {
    this.#disposed = true;
    this.#unwatch();
    for (const entry of this.#scheduled.values()) entry.timer?.cancel();
    this.#scheduled.clear();
  }

  #arm(entry: Scheduled): void {
    if (!this.#automatic) return;
    const delay = entry.time - this.#clock.now();
    // A fake timer that fires is the test's word that the time has come (its Date may be real:
    // Jest's legacy timers, or toFake without Date); a real one, or one step of a longer wait, is checked.
    const trust = this.#clock.faked && delay <= MAX_TIMER_MS;
    entry.timer = this.#clock.setTimer(() => {
      entry.timer = undefined;
      if (this.#scheduled.get(addressKey(entry.address)) !== entry) return;
      // Not yet (a wait longer than one timer, or a clock that moved back): wait again.
      if (!trust && entry.time > this.#clock.now()) return this.#arm(entry);
      this.#fireScheduled(entry);
    }, delay);
  }

  #fireScheduled(entry: Scheduled): void {
    this.#scheduled.delete(addressKey(entry.address));
    this.#fire(entry.address, entry.retryCount, entry.time).catch(() => {
      // Reported through the retry; an alarm firing by itself has no caller.
    });
  }

  /**
   * The realm's timers changed (fake timers installed, removed or cleared),
   * or the fake time was set: every pending alarm is armed again on the
   * timers now in force, for its own time. Setting the time fires nothing,
   * as it fires no timer: an alarm it passed is due at the next advance
   * (fake timers shift their timers with the clock, so without this it would
   * wait its whole delay again), and `runDurableObjectAlarm` finds it still
   * scheduled.
   */
  clockChanged(_change: ClockChange): void {
    if (this.#disposed) return;
    for (const entry of this.#soonestFirst()) {
      entry.timer?.cancel();
      entry.timer = undefined;
      this.#arm(entry);
    }
  }

  #soonestFirst(): Scheduled[] {
    return [...this.#scheduled.values()].sort((a, b) => a.time - b.time);
  }

  async #fire(address: ObjectAddress, retryCount: number, time: number | undefined): Promise<AlarmOutcome> {
    try {
      return await this.#run(address, retryCount);
    } catch (error) {
      // Retry unless the handler scheduled something else meanwhile.
      const final = typeof error === "object" && error !== null && notRetried.has(error);
      if (retryCount < MAX_ALARM_RETRIES && !final && !this.#scheduled.has(addressKey(address)) && !this.#disposed) {
        const delay = FIRST_RETRY_DELAY_MS * 2 ** retryCount;
        this.schedule(address, Math.max(this.#clock.now() + delay, time ?? 0), retryCount + 1);
      }
      throw error;
    }
  }
}
