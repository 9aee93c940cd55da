import { andThen, type Awaitable } from "../base/awaitable.js";
import { OutputGate, type InputGate } from "./gates.js";
import type { ReadOptions, StorageHost, WriteOptions } from "../storage/host.js";
import type { ResolvedClass } from "./class-registry.js";
import type { AbortHow } from "./abort.js";

/** A live instance's gates, when storage belongs to one. */
export interface InstanceGates {
  readonly inputGate: InputGate;
  readonly outputGate: OutputGate;
  /** Breaks the instance: after a failed write the object cannot trust what it holds. */
  reset(error: unknown): void;
  /** Breaks the instance and fails the events running in it (a broken output gate). */
  abortWith(error: Error, how: AbortHow): void;
  /** The user's object, once constructed. */
  readonly object?: object | undefined;
}

/** What the adapter needs of the object's record, gated or not. */
export interface StorageOwner {
  resolveClass(): ResolvedClass | Promise<ResolvedClass>;
  alarmChanged(time: number | null): void;
  /** True while alarm() runs and has not set another alarm: getAlarm() answers null then, as production's does. */
  readonly alarmHidden: boolean;
  /** Why setAlarm() is refused (a facet's), if it is. */
  alarmRefusal?(): Error | undefined;
  /** Told after deleteAll(). */
  deletedAll?(): void;
}

/**
 * Storage's view of the object it belongs to. Inside a live instance
 * (`gates` given) reads close the input gate and writes resolve at once while
 * the output gate holds the object's results until they are confirmed, as in
 * production. From outside (a test helper, no gates) the same adapter lets
 * reads through and makes each write wait for its confirmation.
 */
export class ObjectStorageHost implements StorageHost {
  readonly #owner: StorageOwner;
  readonly #gates: InstanceGates | undefined;
  /** The instance's output gate, or one of its own for sync() from outside. */
  readonly #outputGate: OutputGate;

  constructor(owner: StorageOwner, gates?: InstanceGates) {
    this.#owner = owner;
    this.#gates = gates;
    this.#outputGate = gates?.outputGate ?? new OutputGate();
  }

  read<T>(value: Awaitable<T>, options?: ReadOptions): Promise<T> {
    const promise = Promise.resolve(value);
    if (this.#gates !== undefined && !options?.allowConcurrency) this.#gates.inputGate.closeUntil(promise);
    return promise;
  }

  write(confirmed: Awaitable<void>, options?: WriteOptions): Promise<void> {
    // A write that completed synchronously is already confirmed.
    if (!(confirmed instanceof Promise)) return Promise.resolve();
    this.#track(confirmed, options);
    return this.#gates === undefined ? confirmed : Promise.resolve();
  }

  writeWithResult<T>(result: Awaitable<T>, options?: WriteOptions): Promise<T> {
    if (!(result instanceof Promise)) return Promise.resolve(result);
    this.#track(result, options);
    return result;
  }

  sync(): Promise<void> {
    return this.#outputGate.waitForConfirmed() ?? Promise.resolve();
  }

  checkAlarmHandler(): Awaitable<void> {
    const gates = this.#gates;
    const refusal = this.#owner.alarmRefusal?.();
    if (refusal !== undefined) {
      // workerd's refusal breaks the output gate: the event fails with it, even if the code catches it.
      gates?.abortWith(refusal, { retryAlarm: false, breakStubs: false });
      throw refusal;
    }
    return andThen(this.#owner.resolveClass(), ({ objectClass }) => {
      if (gates === undefined || hasAlarmHandler(objectClass.prototype)) return checkAlarmHandler(objectClass);
      // An instance's own alarm (this.alarm = ... in the constructor) counts too. Called from the
      // constructor itself, the object is not there yet: look once the constructor has returned.
      const object = gates.object;
      if (object !== undefined) return checkAlarmHandler(objectClass, object);
      return Promise.resolve().then(() => checkAlarmHandler(objectClass, gates.object));
    });
  }

  alarmChanged(time: number | null): void {
    this.#owner.alarmChanged(time);
  }

  deletedAll(): void {
    this.#owner.deletedAll?.();
  }

  visibleAlarm(time: number | null): number | null {
    // Inside the object only: from outside (a test's helpers) storage shows what is stored.
    return this.#gates !== undefined && this.#owner.alarmHidden ? null : time;
  }

  #track(write: Promise<unknown>, options: WriteOptions | undefined): void {
    const gates = this.#gates;
    if (gates === undefined) {
      this.#outputGate.track(write);
      return;
    }
    if (!options?.allowUnconfirmed) gates.outputGate.track(write);
    // A write that fails breaks the object, as production's broken output gate does.
    write.catch((error: unknown) => {
      gates.outputGate.break(error);
      gates.reset(error);
    });
  }
}

function hasAlarmHandler(object: unknown): boolean {
  return typeof (object as { alarm?: unknown } | undefined)?.alarm === "function";
}

/** setAlarm() needs an alarm() handler, on the class or (given) the instance, with production's message. */
export function checkAlarmHandler(objectClass: ResolvedClass["objectClass"], instance?: object): void {
  if (!hasAlarmHandler(objectClass.prototype) && !hasAlarmHandler(instance)) {
    throw new Error("Your Durable Object class must have an alarm() handler in order to call setAlarm()");
  }
}
