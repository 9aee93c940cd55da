import { DuraboxError } from "../base/errors.js";

/** How an instance was aborted: what its alarm and the stubs that reached it do next. */
export interface AbortHow {
  /** An alarm() running when it was aborted is retried (`ctx.abort(reason, { retryAlarm: false })` turns it off). */
  readonly retryAlarm: boolean;
  /** Stubs that reached the instance stay broken (abortAllDurableObjects(), as in workerd); new stubs work. */
  readonly breakStubs: boolean;
}

/** workerd's message for `ctx.abort()` without a reason (actor-state.c++). */
export const DEFAULT_ABORT_MESSAGE = "Application called abort() to reset Durable Object.";
/** What calls through a stub aborted by cloudflare:test's abortAllDurableObjects() reject with. */
export const ABORT_ALL_MESSAGE = "Application called abortAllDurableObjects().";

/**
 * The error an abort fails events with: a plain `Error` to user code (workerd
 * throws `jsg.Error: <reason>`; a reason that is not a string is converted to
 * one), with durabox's code ERR_ABORTED (not enumerable) for callers that branch on it.
 */
export function abortError(message: string): DuraboxError {
  const error = new DuraboxError("ERR_ABORTED", message);
  // Not own enumerable properties: a test's toThrow(new Error(reason)) compares those too.
  Object.defineProperty(error, "name", { value: "Error", writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, "code", { value: "ERR_ABORTED", writable: false, configurable: true, enumerable: false });
  return error;
}

/** Whether `error` is what an object reset by ctx.abort() fails its events with. */
export function isResetError(error: unknown): error is DuraboxError & { durableObjectReset: true } {
  return error instanceof DuraboxError && (error as { durableObjectReset?: unknown }).durableObjectReset === true;
}

/**
 * A reset's error as runDurableObjectAlarm() hands it to the test: local workerd marks it `remote` too (the
 * abort reached the test across the alarm's call), unlike an error alarm() throws (conformance/tests/alarms.test.ts).
 * A copy: callers of the instance's other events keep theirs unmarked.
 */
export function resetSeenByAlarmCaller(error: DuraboxError): DuraboxError {
  const copy = abortError(error.message);
  Object.assign(copy, { remote: true, durableObjectReset: true });
  return copy;
}

/** `ctx.abort(reason?, options?)`'s arguments, checked, as the error to abort with and how. */
export function abortArguments(reason: unknown, options: unknown): { error: DuraboxError; how: AbortHow } {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`ctx.abort() options must be { retryAlarm?: boolean }, but they were ${describe(options)}.`);
  }
  const retryAlarm = (options as { retryAlarm?: unknown } | undefined)?.retryAlarm;
  if (retryAlarm !== undefined && typeof retryAlarm !== "boolean") {
    throw new TypeError(`ctx.abort() options must be { retryAlarm?: boolean }, but retryAlarm was ${describe(retryAlarm)}.`);
  }
  const message = reason === undefined ? DEFAULT_ABORT_MESSAGE : String(reason);
  const error = abortError(message);
  // workerd throws it as "broken.outputGateBroken; jsg.Error: …", and a "broken." prefix reaches JavaScript as an
  // own, enumerable durableObjectReset: true (jsg/exception.c++), which callers test to retry on a fresh stub.
  (error as DuraboxError & { durableObjectReset?: boolean }).durableObjectReset = true;
  return { error, how: { retryAlarm: retryAlarm ?? true, breakStubs: false } };
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : typeof value;
}
