// What a binding's outgoing message (a KV or R2 write, a queue send, a D1 query) made inside a
// Durable Object waits for: the object's output gate, as workerd's subrequests wait for its
// output locks (waitForOutputLocks in api/kv.c++, r2-rpc.c++, queue.c++, http.c++). Read from
// the event context the objects layer runs every event in (rpc/context.ts, objects/context.ts),
// through the one store they share, so bindings, a layer below, need neither.
import { DuraboxError } from "./errors.js";
import { sharedAsyncLocalStorage } from "./shared-state.js";

interface GatedContext {
  readonly outputGate?: { confirmedSoFar(): Promise<boolean> | undefined } | undefined;
}

const events = sharedAsyncLocalStorage<GatedContext>("eventContext");

/**
 * Undefined when the caller need not wait (outside an object, or no write of the object is
 * unconfirmed): the common path costs no await. Otherwise a promise that resolves once the
 * object's writes made so far are confirmed, or rejects when one failed: production never sends
 * a message held behind a failed write (the object is reset), so `what` is never done.
 */
export function outputGateWait(what: string): Promise<void> | undefined {
  const confirmed = events.getStore()?.outputGate?.confirmedSoFar();
  if (confirmed === undefined) return undefined;
  return confirmed.then((ok) => {
    if (!ok) {
      throw new DuraboxError(
        "ERR_ABORTED",
        `${what} was not sent: a storage write the Durable Object made before it failed, so the object was reset (its output gate broke).`,
      );
    }
  });
}
