import { MAX_ALARM_RETRIES, withoutRetry, type AlarmOutcome } from "./scheduler.js";
import type { AlarmClaims } from "./claims.js";
import type { ObjectRecord } from "../object-record.js";
import type { ObjectInstance } from "../instance.js";

/**
 * Delivers one alarm event to an object, under its gates: calls alarm() with
 * `{ retryCount, isRetry }` if an alarm is still stored, then clears the
 * stored alarm unless the handler set a new one. A throw leaves the alarm
 * stored for the scheduler's retry, except after the last retry, and so
 * does ctx.abort() unless `{ retryAlarm: false }` (then the alarm is
 * deleted, from outside the aborted instance). Where runtimes share
 * storage, the alarm runs only if this runtime claims it.
 */
export function runAlarm(record: ObjectRecord, retryCount: number, claims: AlarmClaims): Promise<AlarmOutcome> {
  const instance = record.instance();
  instance.announce("alarm", () => (retryCount > 0 ? `retry ${retryCount}` : undefined));
  return deliverAlarm(record, instance, retryCount, claims).catch(async (error: unknown) => {
    if (instance.aborted?.retryAlarm !== false || typeof error !== "object" || error === null) throw error;
    record.alarmEnded();
    await record.clearAlarm();
    throw withoutRetry(error);
  });
}

function deliverAlarm(record: ObjectRecord, instance: ObjectInstance, retryCount: number, claims: AlarmClaims): Promise<AlarmOutcome> {
  const { store } = record;
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
      // alarm() caught the abort (production's cannot be caught): the alarm still failed, and stays stored.
      const aborted = instance.aborted;
      if (aborted !== undefined) throw aborted.error;
      await clearUnlessSet();
      return "ran";
    });
  });
}
