import { MAX_ALARM_RETRIES, type AlarmOutcome } from "./scheduler.js";
import type { AlarmClaims } from "./claims.js";
import type { ObjectRecord } from "../object-record.js";

/**
 * Delivers one alarm event to an object, under its gates: calls alarm() with
 * `{ retryCount, isRetry }` if an alarm is still stored, then clears the
 * stored alarm unless the handler set a new one. A throw leaves the alarm
 * stored for the scheduler's retry, except after the last retry. Where
 * runtimes share storage, the alarm runs only if this runtime claims it.
 */
export function runAlarm(record: ObjectRecord, retryCount: number, claims: AlarmClaims): Promise<AlarmOutcome> {
  const instance = record.instance();
  const { store } = record;
  instance.announce("alarm", () => (retryCount > 0 ? `retry ${retryCount}` : undefined));
  return instance.deliver(0, async (object) => {
    const time = await record.readAlarm();
    const handler = (object as { alarm?: unknown }).alarm;
    if (time === null || typeof handler !== "function") return "none";
    // "none" when another runtime sharing the storage holds the alarm.
    return claims.run(record.address, store, time, retryCount, async () => {
      // Production defers the alarm's delete to the handler's end: getAlarm() answers null meanwhile,
      // and any setAlarm() (even to the same time) or deleteAlarm() in the handler cancels the delete.
      const mark = record.alarmStarting();
      const clearUnlessSet = async (): Promise<void> => {
        if (record.alarmSetSince(mark)) return;
        // Through the instance's output gate: the event ends once the clear is confirmed.
        await record.clearAlarm(instance);
      };
      try {
        await handler.call(object, { retryCount, isRetry: retryCount > 0 });
      } catch (error) {
        record.alarmEnded();
        if (retryCount >= MAX_ALARM_RETRIES) await clearUnlessSet();
        throw error;
      }
      record.alarmEnded();
      await clearUnlessSet();
      return "ran";
    });
  });
}
