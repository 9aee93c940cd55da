import { allCopyAsIs, copiesAsIs, copyValue, type Transfer } from "./codec.js";
import { CURRENT_RPC, type RpcCompatibility } from "./compatibility.js";
import { currentContext, directHost, nextDepth, type CallHost } from "./context.js";
import { copyThrownError } from "./error-copy.js";
import { isRpcReceiver } from "./classes.js";
import { notAFunction, notRpcDurableObject } from "./messages.js";
import { receiverMember, resolvePath } from "./receiver.js";
import { rpcRealm, stubState, type StubMaker, type StubState } from "./registry.js";
import { Unsettled, type TargetRef } from "./target.js";

/**
 * A call through RPC: the arguments copied for the receiver (what they send
 * by reference lives with the caller's host), delivered to the target's host
 * (an object's gates), the path followed there, and the result copied back
 * for the caller (what it sends by reference lives with the receiver). Stubs
 * the receiver got in the arguments are disposed when the call returns, and
 * a result object gets a disposer for the stubs inside it. `stubFor` makes
 * the stubs the copies hold (the stub module passes its own: it sits above
 * this one, so the call needs no import of it).
 */
export function remoteCall(
  target: TargetRef,
  path: readonly string[],
  args: readonly unknown[] | undefined,
  stubFor: StubMaker,
): Promise<unknown> {
  let depth: number;
  let sent: Transfer | undefined;
  let copiedArgs: readonly unknown[] | undefined;
  const rpc = target.rpc ?? CURRENT_RPC;
  try {
    depth = nextDepth();
    if (args !== undefined) {
      // Primitives travel as they are (the array is the call's own, made by the stub's proxy).
      if (allCopyAsIs(args)) copiedArgs = args;
      else {
        // Before rpc_params_dup_stubs, a stub sent in the arguments was transferred: the sender's own is disposed.
        const transferred: StubState[] | undefined = rpc.dupParamStubs ? undefined : [];
        sent = { host: currentContext()?.host ?? directHost, stubFor, stubs: [], rpc, sentStubs: transferred };
        copiedArgs = copyValue(args, sent);
        if (transferred !== undefined) for (const stub of transferred) stub.dispose();
        // Nothing sent by reference: nothing to dispose when the call returns.
        if (sent.stubs.length === 0) sent = undefined;
      }
    }
  } catch (error) {
    return Promise.reject(error);
  }
  // A target that settles the receiver's promise itself (an object's gates) is handed it unsettled.
  const unsettled = target.invokeUnsettled !== undefined;
  const operation = (root: unknown): unknown => {
    // Thrown as it is (not copied as the receiver's error), as production's stub does.
    if (target.receiverOnly === true && !isRpcReceiver(root)) throw notRpcDurableObject();
    let result: unknown;
    let forwarded: boolean;
    try {
      result = performOn(root, path, copiedArgs);
      forwarded = lastForwarded;
    } catch (error) {
      return failed(error, sent, stubFor, rpc);
    }
    // The common call (no stubs in the arguments, nothing forwarded) shares its continuations: no closures per call.
    const plain = sent === undefined && !forwarded ? plainContinuations(stubFor, rpc) : undefined;
    const finish = plain?.finish ?? ((value: unknown): unknown => finished(value, forwarded, sent, stubFor, rpc));
    const fail = plain?.fail ?? ((error: unknown): never => failed(error, sent, stubFor, rpc));
    // Synchronous members answer without a promise of their own; the gates' run awaits what is returned.
    if (result instanceof Promise) return unsettled ? new Unsettled(result, finish, fail) : result.then(finish, fail);
    if (isThenable(result)) return Promise.resolve(result).then(finish, fail);
    return finish(result);
  };
  const member = (): string => path.join(".");
  return unsettled ? target.invokeUnsettled!(depth, operation, member) : target.invoke(depth, operation, member);
}

/**
 * A call on a result that is data, not a stub: as production makes it, a new
 * call on the (remote) result, whose answer is a fresh copy; through the stub
 * when the result is one.
 */
export function callOnResult(
  value: unknown,
  path: readonly string[],
  args: readonly unknown[] | undefined,
  stubFor: StubMaker,
): Promise<unknown> {
  const stub = stubState(value);
  return stub !== undefined ? stub.call(path, args) : remoteCall(resultTarget(value), path, args, stubFor);
}

/**
 * Whether the result performOn() returned last is a call it forwarded
 * through a stub (the result is then that call's). Set by performOn as it
 * returns, after any call it made (which may itself run performOn), so the
 * caller reads it at once: no record per call.
 */
let lastForwarded = false;

/**
 * Performs `path`/`args` on a value an RPC call resolved to: through it when
 * it is a stub, else on the value itself. Synchronous where the member is: a
 * promise only when the member returns one.
 */
function performOn(value: unknown, path: readonly string[], args: readonly unknown[] | undefined): unknown {
  // The common call, a member of the Durable Object or entrypoint the call starts at: as resolvePath() reaches it.
  if (path.length === 1 && isRpcReceiver(value) && stubState(value) === undefined) {
    const name = path[0]!;
    const member = receiverMember(value as object, name);
    return args === undefined ? returned(member, false) : callMember(member, value, name, args);
  }
  const resolved = resolvePath(value, path);
  if (resolved.kind === "forward") return returned(resolved.stub.call(resolved.rest, args), true);
  if (args === undefined) return returned(resolved.value, false);
  return callMember(resolved.value, resolved.holder, resolved.name ?? "", args);
}

function callMember(member: unknown, holder: unknown, name: string, args: readonly unknown[]): unknown {
  const stub = stubState(member);
  if (stub !== undefined) return returned(stub.call([], args), true);
  if (typeof member !== "function") throw notAFunction(name);
  return returned((member as (...a: unknown[]) => unknown).apply(holder, args as unknown[]), false);
}

function returned(result: unknown, forwarded: boolean): unknown {
  lastForwarded = forwarded;
  return result;
}

function finished(result: unknown, forwarded: boolean, sent: Transfer | undefined, stubFor: StubMaker, rpc: RpcCompatibility): unknown {
  try {
    return copyResult(result, forwarded, stubFor, rpc);
  } finally {
    if (sent !== undefined) for (const stub of sent.stubs) stub.dispose();
  }
}

function failed(error: unknown, sent: Transfer | undefined, stubFor: StubMaker, rpc: RpcCompatibility): never {
  if (sent !== undefined) for (const stub of sent.stubs) stub.dispose();
  const host = currentContext()?.host ?? directHost;
  throw copyThrownError(error, rpc.enhancedErrors, (value) => copyValue(value, { ...newTransfer(host, stubFor, rpc), byValueOnly: true }));
}

interface Continuations {
  readonly finish: (value: unknown) => unknown;
  readonly fail: (error: unknown) => never;
}
const plainByMaker = new WeakMap<StubMaker, WeakMap<RpcCompatibility, Continuations>>();

// The pair asked for last (every call of a test asks for the same): no lookups.
let lastPlain: { readonly stubFor: StubMaker; readonly rpc: RpcCompatibility; readonly continuations: Continuations } | undefined;

function plainContinuations(stubFor: StubMaker, rpc: RpcCompatibility): Continuations {
  if (lastPlain !== undefined && lastPlain.stubFor === stubFor && lastPlain.rpc === rpc) return lastPlain.continuations;
  let byCompatibility = plainByMaker.get(stubFor);
  if (byCompatibility === undefined) plainByMaker.set(stubFor, (byCompatibility = new WeakMap()));
  let plain = byCompatibility.get(rpc);
  if (plain === undefined) {
    plain = { finish: (value) => copyResult(value, false, stubFor, rpc), fail: (error) => failed(error, undefined, stubFor, rpc) };
    byCompatibility.set(rpc, plain);
  }
  lastPlain = { stubFor, rpc, continuations: plain };
  return plain;
}

/** A result held here, as a call target: pipelined reads and calls on it answer fresh copies, as remote ones do. */
function resultTarget(value: unknown): TargetRef {
  return {
    invoke: (depth, operation) => directHost.run(depth, () => operation(value)),
    retain() {},
    release() {},
  };
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function newTransfer(host: CallHost, stubFor: StubMaker, rpc: RpcCompatibility): Transfer {
  return { host, stubFor, stubs: [], rpc };
}

/** The caller's copy of a result, made where the receiver runs. */
function copyResult(result: unknown, forwarded: boolean, stubFor: StubMaker, rpc: RpcCompatibility): unknown {
  // Numbers, short strings and the like cost nothing to copy; symbols are refused by the copier.
  if (copiesAsIs(result)) return result;
  const transfer = newTransfer(currentContext()?.host ?? directHost, stubFor, rpc);
  const copy = copyValue(result, transfer);
  // The result of a call this side forwarded (not a value of its own): the caller now holds its own stubs.
  if (forwarded) (result as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();
  // Every object result gets a disposer, but stubs have their own and handles (Durable Object stubs, bindings) are not the call's.
  if (typeof copy === "object" && copy !== null && !stubState(copy) && !rpcRealm.handles.has(copy)) {
    Object.defineProperty(copy, Symbol.dispose, {
      value: () => {
        for (const stub of transfer.stubs) stub.dispose();
      },
      configurable: true,
      writable: true,
    });
  }
  return copy;
}
