import { AsyncResource } from "node:async_hooks";
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

/** Runs `fn` (with `this` = `thisArg`) inside a context scope made by contextScope(). */
export type ScopeRunner = <T, A extends unknown[]>(fn: (...args: A) => T, thisArg: unknown, ...args: A) => T;

/** The async context every scope starts from: the one this module was evaluated in, before any caller's. */
const root = new AsyncResource("durabox.root");

/**
 * A scope to run code in `context` many times (an object's events at one
 * depth): made once, entering it switches to one async frame that holds the
 * context and nothing of the caller's, where runInContext() makes a new frame
 * (on Node 24 a copy of the caller's) on every entry. So an object's event
 * sees none of the caller's AsyncLocalStorage values, as in production, where
 * a call reaches the object as a request of its own. The runner is the
 * resource's own method, bound: no frame of its own in a stack trace.
 */
export function contextScope(context: EventContext): ScopeRunner {
  const scope = root.runInAsyncScope(() => storage.run(context, () => new AsyncResource("durabox.event")));
  return scope.runInAsyncScope.bind(scope) as ScopeRunner;
}

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
