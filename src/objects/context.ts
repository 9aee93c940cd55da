import { AsyncLocalStorage } from "node:async_hooks";
import { processShared } from "../process-shared.js";

/**
 * What is running now: a request into a worker or an event inside an object.
 * Carried across awaits so that a stub call made from inside an object knows
 * how deep the chain of objects calling objects already is.
 */
export interface EventContext {
  /** 0 for a request from outside; each stub call adds one. */
  readonly depth: number;
}

export const MAX_DEPTH = 16;

/**
 * One per process, kept on Node's AsyncLocalStorage class itself: every
 * enabled instance costs something on every promise, and Jest evaluates
 * durabox once per test file (in the file's context) in a long-lived worker.
 */
export function sharedAsyncLocalStorage<T>(name: string): AsyncLocalStorage<T> {
  return processShared(name, () => new AsyncLocalStorage<T>());
}

const storage = sharedAsyncLocalStorage<EventContext>("eventContext");

export function currentContext(): EventContext | undefined {
  return storage.getStore();
}

export function runInContext<T>(context: EventContext, fn: () => T): T {
  return storage.run(context, fn);
}
