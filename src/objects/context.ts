import { sharedAsyncLocalStorage } from "../base/shared-state.js";
import type { SocketOwner } from "./websockets/socket-core.js";

/**
 * What is running now: a request into a worker or an event inside an object.
 * Carried across awaits so that a stub call made from inside an object knows
 * how deep the chain of objects calling objects already is.
 */
export interface EventContext {
  /** 0 for a request from outside; each stub call adds one. */
  readonly depth: number;
  /** Inside an object's event: where a WebSocket accepted now belongs. */
  readonly sockets?: SocketOwner | undefined;
}

export const MAX_DEPTH = 16;

const storage = sharedAsyncLocalStorage<EventContext>("eventContext");

export function currentContext(): EventContext | undefined {
  return storage.getStore();
}

export function runInContext<T>(context: EventContext, fn: () => T): T {
  return storage.run(context, fn);
}
