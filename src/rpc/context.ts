import { sharedAsyncLocalStorage } from "../base/shared-state.js";
import { DuraboxError } from "../base/errors.js";

/**
 * Where a call runs: an object's gates (its instance delivers the call as an
 * event), or directly (a test, a worker entrypoint). A target or function
 * that travels by reference keeps the host it was sent from, so a call back
 * into it runs where it belongs.
 */
export interface CallHost {
  run<T>(depth: number, fn: () => T | Promise<T>): Promise<T>;
}

/**
 * What is running now: a request into a worker or an event inside an object.
 * Carried across awaits so that a call made from inside an object knows how
 * deep the chain of calls already is, and which host sends what it exports.
 */
export interface EventContext {
  /** 0 for a request from outside; each call through a stub adds one. */
  readonly depth: number;
  /** The object (or entrypoint) the code now running belongs to; undefined outside any. */
  readonly host?: CallHost | undefined;
}

export const MAX_DEPTH = 16;

const storage = sharedAsyncLocalStorage<EventContext>("eventContext");

export function currentContext(): EventContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn(...args)` with `context` current. Bound, not wrapped: a wrapper
 * would add its own frames between the user's code and the caller's, and V8
 * keeps only ten (Error.stackTraceLimit).
 */
export const runInContext: <T, A extends unknown[]>(context: EventContext, fn: (...args: A) => T, ...args: A) => T =
  storage.run.bind(storage);

/** The depth of a call made now; refuses a chain deeper than production allows. */
export function nextDepth(): number {
  const depth = (currentContext()?.depth ?? 0) + 1;
  if (depth > MAX_DEPTH) {
    throw new DuraboxError(
      "ERR_RECURSION",
      `Durable Object call recursion is too deep: objects can recurse up to ${MAX_DEPTH} levels ` +
        "(an object calling another object, which calls another, and so on). Look for a loop in the objects' calls.",
    );
  }
  return depth;
}

/** Runs calls where they are made, with no gates: the test's own code, a worker entrypoint. */
export const directHost: CallHost = {
  run<T>(depth: number, fn: () => T | Promise<T>): Promise<T> {
    try {
      return Promise.resolve(runInContext({ depth, host: directHost }, fn));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};
