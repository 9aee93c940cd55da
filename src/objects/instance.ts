import type { ObjectStorage } from "./object-storage.js";
import { InputGate, OutputGate } from "./gates.js";
import { DurableObjectState, type StateOwner } from "./state.js";
import { contextScope, type EventContext, type ScopeRunner } from "./context.js";
import type { CallHost } from "../rpc/context.js";
import { Unsettled } from "../rpc/target.js";
import { LiveList, type Linked } from "../base/live-list.js";
import type { Awaitable } from "../base/awaitable.js";
import type { DurableObjectId } from "./id.js";
import type { InstanceGates } from "./storage-host.js";
import type { ResolvedClass } from "./class-registry.js";
import type { EventLabel, ObjectEventType } from "./events.js";
import type { ObjectWebSockets } from "./websockets/object-websockets.js";
import type { SocketCore, SocketOwner } from "./websockets/socket-core.js";
import { abortArguments, type AbortHow } from "./abort.js";
import type { FacetTree } from "./facets/facet-tree.js";

/** What an instance needs from the record of its object. */
export interface InstanceHost {
  /** The class and env of the object; a promise while its worker is still loading. */
  resolveClass(): ResolvedClass | Promise<ResolvedClass>;
  /** The object's storage, gated by this instance. */
  makeStorage(gates: InstanceGates): ObjectStorage;
  /** Commits what the event wrote and has not committed yet (a SQLite object's implicit transaction). */
  flushWrites(): void;
  /** Forgets this instance (reset with `error`): the next event for the id constructs a new one. */
  forget(instance: ObjectInstance, error: unknown): void;
  trackBackground(promise: Promise<unknown>): void;
  /** Told of each labelled event, the construction and the reset (eviction) of this instance; absent when nobody listens. */
  onEvent?(label: EventLabel): void;
  /** Told when the instance has no event running (it may hibernate after a while). */
  idle(instance: ObjectInstance): void;
  /** The object's WebSockets (kept by its record, across instances), made on first use. */
  webSockets(): ObjectWebSockets;
  /** The object's facets (kept by its record, across instances). */
  facets(): FacetTree;
}

/**
 * One live Durable Object: the user's instance (constructed on the first
 * event), its state and storage, and its gates. Every event (fetch, RPC,
 * alarm, or a test's runInDurableObject) goes through deliver(), which admits
 * it through the input gate in arrival order and releases its result only
 * through the output gate.
 */
export class ObjectInstance implements StateOwner, InstanceGates, SocketOwner {
  readonly inputGate = new InputGate();
  readonly outputGate = new OutputGate();
  /** Where RPC calls into what this object sent by reference run: through its gates, as events. */
  readonly host: CallHost = { run: (depth, fn) => this.deliver(depth, () => fn()) };
  readonly id: DurableObjectId;
  readonly state: DurableObjectState;
  readonly #host: InstanceHost;
  #object: object | undefined;
  #constructing: Promise<void> | undefined;
  #broken: { error: unknown } | undefined;
  /** Set when the instance was aborted (ctx.abort(), abortAllDurableObjects()) rather than evicted. */
  #aborted: (AbortHow & { readonly error: unknown }) | undefined;
  /** Rejects each running event's result: an abort fails them at once, as workerd cancels them. */
  readonly #cancellers = new LiveList<Canceller>();
  /** The scope of an event at each depth of a chain of calls (its context never changes): made once, not per event. */
  readonly #scopes: ScopeRunner[] = [];
  /** Events running now (admitted, not finished). */
  #running = 0;
  /** Calls through a stub not finished yet (queued or running): what the end of a test cancels. */
  readonly #calls = new LiveList<PendingCall>();

  constructor(id: DurableObjectId, host: InstanceHost) {
    this.id = id;
    this.#host = host;
    this.state = new DurableObjectState(id, host.makeStorage(this), this);
  }

  /** Tells the event hook (if any) what the next deliver() is: a fetch, an RPC call, an alarm; `detail` runs only when one listens. */
  announce(type: ObjectEventType, detail?: () => string | undefined): void {
    if (this.#host.onEvent === undefined) return;
    const text = detail?.();
    this.#host.onEvent(text === undefined ? { type } : { type, detail: text });
  }

  /** The user's object, once constructed. */
  get object(): object | undefined {
    return this.#object;
  }

  /**
   * Runs `event` on the object under its gates, at `depth` in a chain of
   * calls. A stub's call names itself (`call`: "fetch", a method's path) and
   * is tracked until it finishes, for cancelCalls().
   */
  deliver<T>(depth: number, event: (object: object) => EventOutcome<T>, call?: () => string): Promise<T> {
    if (this.#object === undefined && this.#constructing === undefined) {
      try {
        this.#construct();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    // Every field up front, the list's links included: one shape for every record, no transitions as they are set.
    const pending: PendingCall | undefined =
      call === undefined ? undefined : { prev: undefined, next: undefined, promise: undefined, describe: call };
    if (pending !== undefined) this.#calls.add(pending);
    const admitted = this.inputGate.enter();
    const promise = admitted === undefined ? this.#run(depth, event, pending) : admitted.then(() => this.#run(depth, event, pending));
    if (pending !== undefined) pending.promise = promise;
    return promise;
  }

  /**
   * Aborts the instance if calls through stubs are still queued or running
   * in it (a test ended without awaiting them: production cancels a
   * request's work when it ends). Their promises fail with `error(call)`,
   * marked handled so that nobody's unhandled rejection ends the process;
   * returns what the calls were (`Class.method()`), for a warning.
   */
  cancelCalls(error: (calls: readonly string[]) => Error): string[] {
    if (this.#calls.size === 0 || this.#broken !== undefined) return [];
    const className = this.#object?.constructor.name ?? "DurableObject";
    const calls = this.#calls.toArray().map((call) => {
      call.promise?.catch(() => undefined);
      return `${className}.${call.describe()}()`;
    });
    this.#calls.clear();
    this.abortWith(error(calls), { retryAlarm: true, breakStubs: false });
    return calls;
  }

  /**
   * Runs an admitted event and answers its result once the writes it made
   * are committed and confirmed. No async function and no wrapper promise
   * around the event's own: its answer is one promise, and this is the cost
   * of every RPC call and fetch.
   */
  #run<T>(depth: number, event: (object: object) => EventOutcome<T>, call: PendingCall | undefined): Promise<T> {
    if (this.#broken !== undefined) {
      if (call !== undefined) this.#calls.delete(call);
      this.inputGate.leave();
      return Promise.reject(this.#broken.error);
    }
    this.#running++;
    return this.#scopeAt(depth)(this.#start, undefined, event, call) as Promise<T>;
  }

  /**
   * The event's code and what awaits its result, in the event's context: the
   * continuations inherit it (an RPC call's copy of its result runs there)
   * without entering it again.
   */
  readonly #start = (event: (object: object) => EventOutcome<unknown>, call: PendingCall | undefined): Promise<unknown> => {
    let outcome: EventOutcome<unknown>;
    try {
      outcome = event(this.#object!);
    } catch (error) {
      this.#ended(call);
      return Promise.reject(error);
    }
    if (outcome instanceof Unsettled) return this.#awaited(outcome.promise, outcome, call);
    if (isThenable(outcome)) return this.#awaited(outcome, undefined, call);
    try {
      const confirmed = this.#committed(outcome, call);
      return confirmed instanceof Promise ? confirmed : Promise.resolve(confirmed);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /**
   * The answer of an event whose work goes on after its synchronous part:
   * what `running` settles to (through `settle` when given), unless the
   * instance is aborted first.
   */
  #awaited<T>(running: PromiseLike<unknown>, settle: Unsettled<T> | undefined, call: PendingCall | undefined): Promise<T> {
    const promise = new Promise<T>(captureSettlers);
    const resolve = capturedResolve as (value: T | PromiseLike<T>) => void;
    const reject = capturedReject!;
    // Aborted while the event's synchronous part ran (a facet's refused setAlarm()): it fails now.
    if (this.#aborted !== undefined) {
      running.then(undefined, () => undefined);
      this.#ended(call);
      reject(this.#aborted.error);
      return promise;
    }
    // An abort fails the event at once (abortWith), as workerd cancels it; what the event does later is ignored.
    const event: Canceller = { prev: undefined, next: undefined, settled: false, reject, call };
    this.#cancellers.add(event);
    try {
      this.#settleWith(running, event, settle, resolve);
    } catch (error) {
      // A thenable whose then() throws: the event fails with that, as a promise executor would have it.
      this.#cancel(event, error);
    }
    return promise;
  }

  /** Settles the event by what `running` settles to: its value (through `settle`) once committed, or its error. */
  #settleWith<T>(
    running: PromiseLike<unknown>,
    event: Canceller,
    settle: Unsettled<T> | undefined,
    resolve: (value: T | PromiseLike<T>) => void,
  ): void {
    const { call, reject } = event;
    running.then(
      (value) => {
        if (event.settled) return;
        event.settled = true;
        this.#cancellers.delete(event);
        let result: T;
        try {
          result = settle === undefined ? (value as T) : settle.finish(value);
        } catch (error) {
          this.#ended(call);
          reject(error);
          return;
        }
        try {
          resolve(this.#committed(result, call));
        } catch (error) {
          reject(error);
        }
      },
      (error: unknown) => {
        if (event.settled) return;
        event.settled = true;
        this.#cancellers.delete(event);
        let failure = error;
        if (settle !== undefined) {
          try {
            settle.fail(error);
          } catch (copied) {
            failure = copied;
          }
        }
        this.#ended(call);
        reject(failure);
      },
    );
  }

  /** Fails a running event at once with `error` (an abort), unless its outcome came first. */
  #cancel(running: Canceller, error: unknown): void {
    if (running.settled) return;
    running.settled = true;
    this.#cancellers.delete(running);
    this.#ended(running.call);
    running.reject(error);
  }

  /**
   * The event returned `result`: commits what it wrote, then answers once
   * the output gate has every write confirmed (a promise only then). Throws
   * the commit's error, which breaks the output gate and the instance.
   */
  #committed<T>(result: T, call: PendingCall | undefined): T | Promise<T> {
    try {
      this.#host.flushWrites();
    } catch (error) {
      // A commit that failed breaks the output gate: no event of this instance answers from now on.
      this.outputGate.break(error);
      this.reset(error);
      this.#ended(call);
      throw error;
    }
    const confirmed = this.outputGate.waitForConfirmed();
    if (confirmed === undefined) {
      this.#ended(call);
      return result;
    }
    return confirmed.then(
      () => {
        this.#ended(call);
        return result;
      },
      (error: unknown) => {
        this.#ended(call);
        throw error;
      },
    );
  }

  #scopeAt(depth: number): ScopeRunner {
    return (this.#scopes[depth] ??= contextScope({
      depth,
      sockets: this,
      outputGate: this.outputGate,
      host: this.host,
    } satisfies EventContext));
  }

  /** An admitted event is over: no longer a pending call, out of the gate, and the instance idle if it was the last. */
  #ended(call: PendingCall | undefined): void {
    if (call !== undefined) this.#calls.delete(call);
    this.inputGate.leave();
    if (--this.#running === 0) this.#host.idle(this);
  }

  /** Whether an event is running now. */
  get busy(): boolean {
    return this.#running > 0;
  }

  #construct(): void {
    if (this.#broken !== undefined) throw this.#broken.error;
    const resolved = this.#host.resolveClass();
    if (!(resolved instanceof Promise)) return this.#constructWith(resolved);
    // The worker is still loading: events queue at the closed gate, in order,
    // and are admitted once the object exists (or fail with the load's error).
    this.#constructing = resolved.then(
      (loaded) => this.#constructWith(loaded),
      (error: unknown) => this.reset(error),
    );
    this.inputGate.closeUntil(this.#constructing);
  }

  #constructWith({ objectClass, env, exports, props }: ResolvedClass): void {
    // A fresh {} for each instance when none was given, as workerd's ctx.props.
    this.state.setExports(exports, props === undefined ? {} : structuredClone(props));
    try {
      this.#object = this.#scopeAt(0)(() => new objectClass(this.state, env as never), undefined);
      this.#host.onEvent?.({ type: "construct" });
    } catch (error) {
      this.reset(error);
      throw error;
    }
  }

  /** Breaks this instance: what is queued fails with `error`; the next event gets a new one. */
  reset(error: unknown): void {
    if (this.#broken !== undefined) return;
    this.#broken = { error };
    this.#host.onEvent?.({ type: "eviction", detail: error instanceof Error ? error.message : String(error) });
    this.#host.forget(this, error);
    this.inputGate.releaseAll();
  }

  // StateOwner

  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T> {
    const result = callback();
    this.inputGate.closeUntil(result);
    result.catch((error: unknown) => this.reset(error));
    return result;
  }

  waitUntil(promise: Promise<unknown>): void {
    this.#host.trackBackground(promise);
  }

  get webSockets(): ObjectWebSockets {
    return this.#host.webSockets();
  }

  get facets(): FacetTree {
    return this.#host.facets();
  }

  // SocketOwner: a WebSocket accept()ed during one of this instance's events.

  get autoReplyToClose(): boolean {
    return this.webSockets.autoReplyToClose;
  }

  adopt(core: SocketCore): void {
    this.webSockets.adopt(core);
  }

  /** ctx.abort(reason, options): aborts with workerd's error for `reason`, and returns it. */
  abort(reason?: unknown, options?: unknown): Error {
    const { error, how } = abortArguments(reason, options);
    this.abortWith(error, how);
    return error;
  }

  /** Resets the instance with `error`, failing the events running in it too (reset() lets them finish). */
  abortWith(error: Error, how: AbortHow): void {
    if (this.#broken !== undefined) return;
    this.#aborted = { ...how, error };
    this.reset(error);
    for (const running of this.#cancellers.toArray()) this.#cancel(running, error);
  }

  /** How the instance was aborted, and with what error, if it was. */
  get aborted(): (AbortHow & { readonly error: unknown }) | undefined {
    return this.#aborted;
  }

  /** The error a stub that reached this instance fails with from now on, if the abort broke stubs. */
  get stubsBrokenBy(): unknown {
    return this.#aborted?.breakStubs === true ? this.#aborted.error : undefined;
  }
}

/** What an event's code gives: its result, a promise of it, or (an RPC call) the receiver's promise and how its value becomes the result. */
export type EventOutcome<T> = Awaitable<T> | Unsettled<T>;

/** A call through a stub, until it finishes: its promise (once deliver() made it) and what it was. */
interface PendingCall extends Linked {
  promise: Promise<unknown> | undefined;
  readonly describe: () => string;
}

/** A running event, until its outcome or an abort settles it (once). */
interface Canceller extends Linked {
  settled: boolean;
  readonly reject: (error: unknown) => void;
  readonly call: PendingCall | undefined;
}

// The settling functions of the promise made last: new Promise(captureSettlers) needs no executor closure per event.
let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;
function captureSettlers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
  capturedReject = reject;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
