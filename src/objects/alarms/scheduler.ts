import { addressKey, type ObjectAddress } from "../../storage/address.js";

import { MAX_TIMER_MS, realClearTimeout as clearTimer, realSetTimeout as setTimer } from "../../base/clock.js";

export const MAX_ALARM_RETRIES = 6;
export const FIRST_RETRY_DELAY_MS = 2000;

/** Runs one object's alarm; rejects when its alarm() threw. */
export type AlarmRunner = (address: ObjectAddress, retryCount: number) => Promise<AlarmOutcome>;
/** "ran": the handler ran (and succeeded); "none": there was no alarm to run. */
export type AlarmOutcome = "ran" | "none";

interface Scheduled {
  readonly address: ObjectAddress;
  time: number;
  retryCount: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Fires each object's alarm at its time (one per object), and retries a
 * throwing alarm() with exponential backoff (2 s, 4 s, ... up to 6 retries),
 * as production does. With `automatic: false` nothing fires by itself; tests
 * run alarms with runNow/flush.
 */
export class AlarmScheduler {
  readonly #scheduled = new Map<string, Scheduled>();
  readonly #run: AlarmRunner;
  readonly #automatic: boolean;
  #disposed = false;

  constructor(run: AlarmRunner, automatic: boolean) {
    this.#run = run;
    this.#automatic = automatic;
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
    if (entry.timer !== undefined) clearTimer(entry.timer);
    this.#scheduled.delete(key);
  }

  /** When the object's alarm (or its next retry) fires, if one is scheduled. */
  scheduledTime(address: ObjectAddress): { time: number; retryCount: number } | undefined {
    const entry = this.#scheduled.get(addressKey(address));
    return entry && { time: entry.time, retryCount: entry.retryCount };
  }

  /** Objects with an alarm scheduled, soonest first. */
  pending(): ObjectAddress[] {
    return [...this.#scheduled.values()].sort((a, b) => a.time - b.time).map((entry) => entry.address);
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
    for (const entry of this.#scheduled.values()) {
      if (entry.timer !== undefined) clearTimer(entry.timer);
    }
    this.#scheduled.clear();
  }

  #arm(entry: Scheduled): void {
    if (!this.#automatic) return;
    const delay = Math.max(0, entry.time - Date.now());
    entry.timer = setTimer(
      () => {
        entry.timer = undefined;
        if (this.#scheduled.get(addressKey(entry.address)) !== entry) return;
        if (entry.time > Date.now()) return this.#arm(entry);
        this.#scheduled.delete(addressKey(entry.address));
        this.#fire(entry.address, entry.retryCount, entry.time).catch(() => {
          // Reported through the retry; an alarm firing by itself has no caller.
        });
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    // A pending alarm alone does not keep the process alive.
    entry.timer.unref?.();
  }

  async #fire(address: ObjectAddress, retryCount: number, time: number | undefined): Promise<AlarmOutcome> {
    try {
      return await this.#run(address, retryCount);
    } catch (error) {
      // Retry unless the handler scheduled something else meanwhile.
      if (retryCount < MAX_ALARM_RETRIES && !this.#scheduled.has(addressKey(address)) && !this.#disposed) {
        const delay = FIRST_RETRY_DELAY_MS * 2 ** retryCount;
        this.schedule(address, Math.max(Date.now() + delay, time ?? 0), retryCount + 1);
      }
      throw error;
    }
  }
}
