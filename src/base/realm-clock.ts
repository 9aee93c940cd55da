import { MAX_TIMER_MS, realClearTimeout, realQueueMicrotask, realSetTimeout } from "./clock.js";
import { realmShared } from "./shared-state.js";

/** A timer set on whichever clock was the realm's when it was set. */
export interface ClockTimer {
  cancel(): void;
}

/**
 * Why the clock changed: "timers" when a test installed or removed fake
 * timers (or cleared them), "time" when it set the fake system time, which
 * moves Date (and shifts pending timers with it) without firing any: what
 * listens fires nothing on it either.
 */
export type ClockChange = "timers" | "time";

/**
 * The clock alarms run on: the test realm's Date and timers as they are at
 * each call, so a test's fake timers (vi.useFakeTimers, jest.useFakeTimers)
 * drive alarms and `Date.now()` reads the fake time. Everything else in
 * durabox waits on the real timers captured in clock.ts.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms` (at most 2^31-1) on the realm's timers of the moment, fake or real. */
  setTimer(fn: () => void, ms: number): ClockTimer;
  /** Whether the realm's timers are not the real ones now (a test's fake timers). */
  readonly faked: boolean;
  /**
   * Tells `listener` when the realm's timers or fake time change; returns the
   * unsubscribe. Held weakly: a runtime nobody disposed is not kept alive by
   * the realm it ran in.
   */
  onChange(listener: ClockListener): () => void;
}

export interface ClockListener {
  clockChanged(change: ClockChange): void;
}

interface Watch {
  readonly listeners: Set<WeakRef<ClockListener>>;
  readonly notify: (change: ClockChange) => void;
}

/** A fake-timers clock object (@sinonjs/fake-timers, which Vitest and Jest use), as far as we touch it. */
interface FakeClock {
  setSystemTime?: (...args: unknown[]) => unknown;
  reset?: (...args: unknown[]) => unknown;
}

const hookedClocks = new WeakSet<object>();

/**
 * The realm's clock. The first call in a realm turns `globalThis.setTimeout`
 * into an accessor that tells listeners when a test assigns it (every
 * fake-timer library installs and removes itself by assignment), shared by
 * every copy of durabox in the realm.
 */
export function realmClock(global: typeof globalThis = globalThis): Clock {
  const watch = realmShared("clockWatch", () => startWatch(global), global);
  return {
    now: () => global.Date.now(),
    setTimer(fn, ms) {
      const set = global.setTimeout;
      const delay = Math.min(Math.max(0, ms), MAX_TIMER_MS);
      if (set === realSetTimeout) {
        const timer = realSetTimeout(fn, delay);
        // A pending alarm alone does not keep the process alive.
        timer.unref?.();
        return { cancel: () => realClearTimeout(timer) };
      }
      // Marked with its clock only after the assignment the watch saw: hook it now.
      hookFakeClock(set, watch.notify);
      // The clear of the same library, even after it is uninstalled.
      const clear = global.clearTimeout;
      const timer = set(fn, delay);
      return { cancel: () => clear(timer) };
    },
    get faked() {
      return global.setTimeout !== realSetTimeout;
    },
    onChange(listener) {
      const ref = new WeakRef(listener);
      watch.listeners.add(ref);
      return () => watch.listeners.delete(ref);
    },
  };
}

function startWatch(global: typeof globalThis): Watch {
  const listeners = new Set<WeakRef<ClockListener>>();
  const notify = (change: ClockChange): void => {
    for (const ref of [...listeners]) {
      const listener = ref.deref();
      if (listener === undefined) {
        listeners.delete(ref);
        continue;
      }
      try {
        listener.clockChanged(change);
      } catch {
        // Called from inside a test's useFakeTimers/setSystemTime: never break the test's own call.
      }
    }
  };
  const watch: Watch = { listeners, notify };
  const descriptor = Object.getOwnPropertyDescriptor(global, "setTimeout");
  // Not ours to change (frozen, or already an accessor of someone's): alarms then see fake timers only when armed.
  if (descriptor === undefined || !descriptor.configurable || !("value" in descriptor) || !descriptor.writable) return watch;
  let current = descriptor.value as typeof setTimeout;
  hookFakeClock(current, notify);
  Object.defineProperty(global, "setTimeout", {
    configurable: true,
    enumerable: descriptor.enumerable ?? true,
    get: () => current,
    set: (value: typeof setTimeout) => {
      current = value;
      notify("timers");
      // A library marks what it installed only after assigning it (sinon's `.clock`).
      realQueueMicrotask(() => hookFakeClock(current, notify));
    },
  });
  return watch;
}

/**
 * @sinonjs/fake-timers marks what it installs with `.clock`. Its
 * setSystemTime moves Date (and shifts pending timers with it) without firing
 * anything, and reset() (vi.clearAllTimers) drops every pending timer:
 * listeners hear of both, so alarms are armed again for their own times (one
 * the new time passed fires at the next advance) and dropped ones come back.
 */
function hookFakeClock(setTimer: unknown, notify: (change: ClockChange) => void): void {
  const clock = (setTimer as { clock?: FakeClock } | undefined)?.clock;
  if (clock === undefined || clock === null || typeof clock !== "object" || hookedClocks.has(clock)) return;
  hookedClocks.add(clock);
  const wrap = (name: "setSystemTime" | "reset", change: ClockChange): void => {
    const original = clock[name];
    if (typeof original !== "function") return;
    clock[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      notify(change);
      return result;
    };
  };
  wrap("setSystemTime", "time");
  wrap("reset", "timers");
}
