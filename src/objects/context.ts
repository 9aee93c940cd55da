import {
  contextScope as rpcContextScope,
  currentContext as currentRpcContext,
  runInContext as runInRpcContext,
  type EventContext as RpcEventContext,
  type ScopeRunner,
} from "../rpc/context.js";
import type { SocketOwner } from "./websockets/socket-core.js";
import type { OutputGate } from "./gates.js";

// The event context lives with RPC (rpc/context.ts), which carries it across
// calls; objects/ adds where a WebSocket accepted now belongs.

/** What is running now, as objects/ sees it: RPC's context and the object whose sockets it may accept. */
export interface EventContext extends RpcEventContext {
  /** Inside an object's event: where a WebSocket accepted now belongs. */
  readonly sockets?: SocketOwner | undefined;
  /** Inside an object's event: its output gate, which WebSocket messages sent now wait for. */
  readonly outputGate?: OutputGate | undefined;
}

export function currentContext(): EventContext | undefined {
  return currentRpcContext();
}

/** RPC's runInContext itself, not a wrapper: no frame of its own in a stack trace. */
export const runInContext: <T, A extends unknown[]>(context: EventContext, fn: (...args: A) => T, ...args: A) => T = runInRpcContext;

/** RPC's contextScope(): a scope an object's events at one depth enter, made once. */
export const contextScope: (context: EventContext) => ScopeRunner = rpcContextScope;
export type { ScopeRunner };
