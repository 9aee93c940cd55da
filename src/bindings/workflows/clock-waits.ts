// Waits until a time on the runtime's clock (the realm's timers: a test's fake timers drive
// them, as they drive alarms), armed again whenever fake timers are installed, removed or their
// time set; a fired timer is the clock's word that the time has come, even if Date says otherwise.
import { MAX_TIMER_MS } from "../../base/clock.js";
import { realmClock, type Clock, type ClockListener, type ClockTimer } from "../../base/realm-clock.js";

export interface ClockWait {
  readonly promise: Promise<void>;
  /** Rejects the wait with `reason` (the run it belongs to ended). */
  cancel(reason: unknown): void;
}

interface Pending {
  readonly at: number;
  timer: ClockTimer | undefined;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
}

export class ClockWaits implements ClockListener {
  readonly #clock: Clock;
  readonly #pending = new Set<Pending>();
  readonly #unwatch: () => void;

  constructor(clock: Clock = realmClock()) {
    this.#clock = clock;
    this.#unwatch = clock.onChange(this);
  }

  now(): number {
    return this.#clock.now();
  }

  /** Resolves at `at` (ms since the epoch); at once (on a timer) when that has passed. */
  until(at: number): ClockWait {
    let entry!: Pending;
    const promise = new Promise<void>((resolve, reject) => {
      entry = { at, timer: undefined, resolve, reject };
    });
    // Nobody may await a cancelled wait: a rejection nobody heard is no error.
    promise.catch(() => {});
    this.#pending.add(entry);
    this.#arm(entry);
    return {
      promise,
      cancel: (reason) => {
        if (!this.#pending.delete(entry)) return;
        entry.timer?.cancel();
        entry.reject(reason);
      },
    };
  }

  clockChanged(): void {
    for (const entry of this.#pending) {
      entry.timer?.cancel();
      this.#arm(entry);
    }
  }

  dispose(reason: unknown): void {
    this.#unwatch();
    for (const entry of this.#pending) {
      entry.timer?.cancel();
      entry.reject(reason);
    }
    this.#pending.clear();
  }

  #arm(entry: Pending): void {
    const delay = entry.at - this.#clock.now();
    const timer: ClockTimer = this.#clock.setTimer(() => {
      // Superseded by a re-arming whose cancel another library's clear could not honour.
      if (entry.timer !== timer) return;
      // Past the timer cap (about 24.8 days): one more step.
      if (delay > MAX_TIMER_MS) return this.#arm(entry);
      if (this.#pending.delete(entry)) entry.resolve();
    }, delay);
    entry.timer = timer;
  }
}
