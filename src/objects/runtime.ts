import { AlarmScheduler, MAX_ALARM_RETRIES, type AlarmOutcome } from "./alarms.js";
import { AlarmClaims } from "./alarm-claims.js";
import { DurableObjectId, IdFactory, namespaceOf } from "./id.js";
import { checkAlarmHandler, ObjectInstance, type ResolvedClass } from "./instance.js";
import { andThen } from "../storage/awaitable.js";
import { DurableObjectNamespace } from "./namespace.js";
import { OutputGate } from "./gates.js";
import { DuraboxError } from "../errors.js";
import { DurableObjectStorage, type StorageHost } from "../storage/storage.js";
import { TransactionLane } from "../storage/transaction-lane.js";
import type { Awaitable, ObjectAddress, ObjectStore, StorageBackend } from "../storage/backend.js";

/** One Durable Object class as the runtime knows it. */
export interface ObjectClassSpec {
  /** Unique per class and the worker that exports it; ids derive from it. */
  readonly identity: string;
  readonly className: string;
  /** The class and its worker's env; a promise while the worker is loading. */
  resolve(): ResolvedClass | Promise<ResolvedClass>;
}

interface ObjectData {
  readonly store: ObjectStore;
  readonly lane: TransactionLane;
}

const keyOf = (address: ObjectAddress): string => `${address.namespace}\u0000${address.id}`;

/**
 * Every Durable Object of one Durabox: one live instance per id, their
 * storage on one backend, and their alarms. This is the layer the public
 * Durabox class and the test environments drive.
 */
export class ObjectRuntime {
  readonly backend: StorageBackend;
  readonly alarms: AlarmScheduler;
  readonly #classes = new Map<string, { spec: ObjectClassSpec; ids: IdFactory }>();
  readonly #instances = new Map<string, ObjectInstance>();
  readonly #data = new Map<string, ObjectData>();
  readonly #background = new Set<Promise<unknown>>();
  /** Storage shared with other runtimes (Redis): which runtime runs each alarm. */
  readonly #alarmClaims: AlarmClaims;

  constructor(backend: StorageBackend, options: { automaticAlarms: boolean }) {
    this.backend = backend;
    this.alarms = new AlarmScheduler((address, retryCount) => this.#runAlarm(address, retryCount), options.automaticAlarms);
    this.#alarmClaims = new AlarmClaims(this.alarms);
  }

  define(spec: ObjectClassSpec): void {
    if (!this.#classes.has(spec.identity)) {
      this.#classes.set(spec.identity, { spec, ids: new IdFactory(spec.identity) });
    }
  }

  namespace(identity: string): DurableObjectNamespace {
    const { ids } = this.#class(identity);
    return new DurableObjectNamespace(ids, { instance: (id) => this.instance(id) });
  }

  /** The live instance for `id`, made (not yet constructed) if there is none. */
  instance(id: DurableObjectId): ObjectInstance {
    const address = addressOf(id);
    const key = keyOf(address);
    let instance = this.#instances.get(key);
    if (instance === undefined) {
      const { spec } = this.#class(address.namespace);
      const data = this.#objectData(address);
      instance = new ObjectInstance(id, {
        resolveClass: () => spec.resolve(),
        makeStorage: (host) => new DurableObjectStorage(data.store, host, data.lane),
        alarmChanged: (time) => this.#alarmChanged(address, time),
        forget: (gone) => {
          if (this.#instances.get(key) === gone) this.#instances.delete(key);
        },
        trackBackground: (promise) => this.trackBackground(promise),
      });
      this.#instances.set(key, instance);
    }
    return instance;
  }

  /** The live instance for `id`, without making one. */
  liveInstance(id: DurableObjectId): ObjectInstance | undefined {
    return this.#instances.get(keyOf(addressOf(id)));
  }

  /** Storage of `id` from outside the object: does not construct it. */
  storage(id: DurableObjectId): DurableObjectStorage {
    const address = addressOf(id);
    const { spec } = this.#class(address.namespace);
    const data = this.#objectData(address);
    const outputGate = new OutputGate();
    const host: StorageHost = {
      read: (value) => Promise.resolve(value),
      // From outside there is no gate to hold: writes resolve once confirmed.
      write: (confirmed) => this.#confirm(outputGate, confirmed),
      writeWithResult: (result) => this.#confirm(outputGate, result),
      sync: () => outputGate.waitForConfirmed() ?? Promise.resolve(),
      checkAlarmHandler: () => andThen(spec.resolve(), ({ objectClass }) => checkAlarmHandler(objectClass)),
      alarmChanged: (time) => this.#alarmChanged(address, time),
    };
    return new DurableObjectStorage(data.store, host, data.lane);
  }

  /** Drops the live instance of `id`; the next event constructs a new one. */
  evict(id: DurableObjectId): boolean {
    const instance = this.liveInstance(id);
    if (instance === undefined) return false;
    instance.reset(evictedError());
    return true;
  }

  /** Drops every live instance (what the test environments do between tests). */
  evictAll(): void {
    for (const instance of [...this.#instances.values()]) instance.reset(evictedError());
  }

  /** Ids in a namespace that hold data or an alarm, or have a live instance. */
  async listIds(identity: string): Promise<DurableObjectId[]> {
    const { ids } = this.#class(identity);
    const hexes = new Set(await this.backend.listObjects(identity));
    for (const instance of this.#instances.values()) {
      if (namespaceOf(instance.id) === identity) hexes.add(instance.id.toString());
    }
    return [...hexes].map((hex) => ids.idFromString(hex));
  }

  /** Runs `id`'s alarm now if one is scheduled; resolves whether it ran. */
  runAlarm(id: DurableObjectId): Promise<boolean> {
    return this.alarms.runNow(addressOf(id));
  }

  /** Runs the scheduled alarms of `ids` (all when omitted) now. */
  async flushAlarms(ids?: readonly DurableObjectId[]): Promise<void> {
    const addresses = ids === undefined ? this.alarms.pending() : ids.map(addressOf);
    for (const address of addresses) await this.alarms.runNow(address);
  }

  /** Schedules again the stored alarms of these objects (all when omitted). */
  async rescheduleAlarms(addresses?: readonly ObjectAddress[]): Promise<void> {
    if (addresses === undefined) {
      for (const alarm of await this.backend.listAlarms()) {
        if (this.#classes.has(alarm.namespace)) this.alarms.schedule(alarm, alarm.time);
      }
      return;
    }
    for (const address of addresses) {
      const time = await this.#objectData(address).store.getAlarm();
      this.#alarmChanged(address, time);
    }
  }

  /** Waits for work handed to waitUntil(). */
  async settleBackground(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  async dispose(): Promise<void> {
    this.alarms.dispose();
    this.#alarmClaims.dispose();
    this.evictAll();
    await this.settleBackground();
    await this.backend.close();
  }

  #class(identity: string): { spec: ObjectClassSpec; ids: IdFactory } {
    const known = this.#classes.get(identity);
    if (known === undefined) {
      throw new DuraboxError("ERR_BINDING_NOT_FOUND", `No Durable Object class is defined for "${identity}".`);
    }
    return known;
  }

  #objectData(address: ObjectAddress): ObjectData {
    const key = keyOf(address);
    let data = this.#data.get(key);
    if (data === undefined) {
      data = { store: this.backend.object(address), lane: new TransactionLane() };
      this.#data.set(key, data);
    }
    return data;
  }

  #confirm<T>(gate: OutputGate, value: Awaitable<T>): Promise<T> {
    const promise = Promise.resolve(value);
    if (value instanceof Promise) gate.track(promise);
    return promise;
  }

  #alarmChanged(address: ObjectAddress, time: number | null): void {
    if (time === null) this.alarms.cancel(address);
    else this.alarms.schedule(address, time);
  }

  /** Work handed to waitUntil(): dispose() waits for it. */
  trackBackground(promise: Promise<unknown>): void {
    this.#background.add(promise);
    const done = (): boolean => this.#background.delete(promise);
    promise.then(done, done);
  }

  async #runAlarm(address: ObjectAddress, retryCount: number): Promise<AlarmOutcome> {
    const known = this.#classes.get(address.namespace);
    if (known === undefined) return "none";
    const instance = this.instance(known.ids.idFromString(address.id));
    const { store } = this.#objectData(address);
    return instance.deliver(0, async (object) => {
      const time = await store.getAlarm();
      const handler = (object as { alarm?: unknown }).alarm;
      if (time === null || typeof handler !== "function") return "none";
      // Claim before running; "none" when another runtime sharing the storage runs it.
      return this.#alarmClaims.run(address, store, time, retryCount, async () => {
        const clearIfUnchanged = async (): Promise<void> => {
          if ((await store.getAlarm()) === time) await instance.writeWithResult(store.commit({ alarm: null }));
        };
        try {
          await handler.call(object, { retryCount, isRetry: retryCount > 0 });
        } catch (error) {
          if (retryCount >= MAX_ALARM_RETRIES) await clearIfUnchanged();
          throw error;
        }
        await clearIfUnchanged();
        return "ran";
      });
    });
  }
}

function addressOf(id: DurableObjectId): ObjectAddress {
  return { namespace: namespaceOf(id), id: id.toString() };
}

function evictedError(): DuraboxError {
  return new DuraboxError(
    "ERR_DISPOSED",
    "This Durable Object instance was evicted (or the runtime disposed) while an event was waiting for it; a new call constructs a fresh instance.",
  );
}
