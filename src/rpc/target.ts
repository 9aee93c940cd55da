import type { RpcCompatibility } from "./compatibility.js";
import type { CallHost } from "./context.js";
import { currentContext, directHost } from "./context.js";

/** What a stub reaches: runs an operation on its target where the target lives. */
export interface TargetRef {
  /** The compatibility settings of the worker the target belongs to (the current ones when omitted). */
  readonly rpc?: RpcCompatibility | undefined;
  /** Runs `operation` on the target where it lives; `member` names what is called (for the verbose event log). */
  invoke<T>(depth: number, operation: (target: unknown) => T | Promise<T>, member?: () => string): Promise<T>;
  /**
   * invoke(), for a target that also takes an Unsettled outcome from
   * `operation` (an object's gates): the call's result then costs no promise
   * of its own. Absent: remoteCall settles the receiver's promise itself.
   */
  readonly invokeUnsettled?: <T>(
    depth: number,
    operation: (target: unknown) => T | Promise<T> | Unsettled<T>,
    member?: () => string,
  ) => Promise<T>;
  /**
   * The target is a Durable Object: a call on one whose class extends
   * neither DurableObject nor WorkerEntrypoint fails with production's
   * TypeError, thrown as it is.
   */
  readonly receiverOnly?: boolean;
  /** A stub to the target was made. */
  retain(): void;
  /** A stub to the target was disposed. */
  release(): void;
}

/**
 * What a call's receiver returned, still to be settled: the member's
 * promise, and what its value (`finish`) or its error (`fail`, which throws)
 * becomes for the caller, each to run in the receiver's context.
 */
export class Unsettled<T> {
  // Declared, not defined: one made per call, plain stores are cheaper than defining fields.
  declare readonly promise: Promise<unknown>;
  declare readonly finish: (value: unknown) => T;
  declare readonly fail: (error: unknown) => never;

  constructor(promise: Promise<unknown>, finish: (value: unknown) => T, fail: (error: unknown) => never) {
    this.promise = promise;
    this.finish = finish;
    this.fail = fail;
  }
}

/**
 * A value sent by reference (an RpcTarget, a function, the object given to
 * `new RpcStub()`): calls run under the gates of the object that sent it
 * (its host). Counts its stubs: when the last is disposed, the target's own
 * `[Symbol.dispose]()` runs there too. Each sending makes a new one, with its
 * own count, as production's "each has its own disposer callback".
 */
export class ExportedTarget implements TargetRef {
  readonly #value: object;
  readonly #host: CallHost;
  #stubs = 0;

  constructor(value: object, host: CallHost = currentContext()?.host ?? directHost) {
    this.#value = value;
    this.#host = host;
  }

  invoke<T>(depth: number, operation: (target: unknown) => T | Promise<T>): Promise<T> {
    return this.#host.run(depth, () => operation(this.#value));
  }

  retain(): void {
    this.#stubs++;
  }

  release(): void {
    if (--this.#stubs > 0) return;
    const dispose = (this.#value as { [Symbol.dispose]?: unknown })[Symbol.dispose];
    if (typeof dispose !== "function") return;
    // Delivered to the owner like any call; a failure there is the target's, not the disposer's caller's.
    this.#host.run(currentContext()?.depth ?? 0, () => dispose.call(this.#value)).catch(() => {});
  }
}
