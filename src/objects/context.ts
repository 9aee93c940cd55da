// The event context lives with RPC (rpc/context.ts), which carries it across
// calls; objects/ uses it under the names it always had.
export { currentContext, runInContext, MAX_DEPTH, type EventContext } from "../rpc/context.js";
