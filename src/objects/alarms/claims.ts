import { FIRST_RETRY_DELAY_MS, MAX_ALARM_RETRIES, type AlarmOutcome, type AlarmScheduler } from "./scheduler.js";
import { realClearTimeout as clearTimer, realSetTimeout as setTimer } from "../../base/clock.js";
import { addressKey, type ObjectAddress } from "../../storage/address.js";
import type { ObjectStore } from "../../storage/backend.js";

/**
 * With storage several runtimes share (Redis), each of them schedules every
 * stored alarm. Before running one, a runtime claims it in storage
 * (ObjectStore.claimAlarm): the one that gets the claim runs it, the others
 * skip it and look again when the claim would lapse, so if the claimant died
 * mid-alarm, another runs it (at-least-once, as production delivers alarms).
 * Storage without claims (memory, file: one runtime) runs every alarm.
 */
export class AlarmClaims {
  readonly #scheduler: AlarmScheduler;
  /** Objects whose alarm another runtime holds: when to look again. */
  readonly #lookAgain = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(scheduler: AlarmScheduler) {
    this.#scheduler = scheduler;
  }

  /** Runs `run` if this runtime claims the alarm set for `time`; "none" when another runtime has it. */
  async run(
    address: ObjectAddress,
    store: ObjectStore,
    time: number,
    retryCount: number,
    run: () => Promise<AlarmOutcome>,
  ): Promise<AlarmOutcome> {
    if (store.claimAlarm === undefined) return run();
    const claim = await store.claimAlarm(time);
    if (!claim.claimed) {
      if (claim.heldUntil !== undefined) this.#lookAgainAt(address, store, claim.heldUntil);
      return "none";
    }
    let failed = true;
    try {
      const outcome = await run();
      failed = false;
      return outcome;
    } finally {
      // After a throw this runtime retries it after a backoff: keep the claim until then.
      claim.release(failed && retryCount < MAX_ALARM_RETRIES ? FIRST_RETRY_DELAY_MS * 2 ** retryCount : 0);
    }
  }

  dispose(): void {
    for (const timer of this.#lookAgain.values()) clearTimer(timer);
    this.#lookAgain.clear();
  }

  /** Schedules the object's stored alarm again once the other runtime's claim would lapse. */
  #lookAgainAt(address: ObjectAddress, store: ObjectStore, at: number): void {
    const key = addressKey(address);
    const previous = this.#lookAgain.get(key);
    if (previous !== undefined) clearTimer(previous);
    const timer = setTimer(
      () => {
        this.#lookAgain.delete(key);
        // Something else scheduled it meanwhile (this runtime's own object set it): that stands.
        if (this.#scheduler.scheduledTime(address) !== undefined) return;
        Promise.resolve(store.getAlarm()).then(
          (stored) => {
            if (stored !== null && this.#scheduler.scheduledTime(address) === undefined) this.#scheduler.schedule(address, stored);
          },
          () => {
            // Storage unreachable or closed: the runtime that set the alarm, or the next start, schedules it.
          },
        );
      },
      Math.max(0, at - Date.now()) + 50,
    );
    timer.unref?.();
    this.#lookAgain.set(key, timer);
  }
}
