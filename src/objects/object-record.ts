import type { ObjectAddress } from "../storage/address.js";
import { DurableObjectStorage } from "../storage/storage.js";
import { TransactionLane } from "../storage/transaction-lane.js";
import { ObjectInstance } from "./instance.js";
import type { RegisteredClass, ResolvedClass } from "./class-registry.js";
import { ObjectStorageHost, type InstanceGates, type StorageOwner } from "./storage-host.js";
import type { ObjectStore } from "../storage/backend.js";
import type { DurableObjectId } from "./id.js";

/** What every record of one runtime shares. */
export interface RecordContext {
  /** Told after an object's stored alarm changed, to (re)schedule or cancel it. */
  alarmChanged(address: ObjectAddress, time: number | null): void;
  /** Work handed to waitUntil(): the runtime waits for it on dispose. */
  trackBackground(promise: Promise<unknown>): void;
  /** Told when the record gains or loses its live instance. */
  liveChanged(record: ObjectRecord, live: boolean): void;
}

/**
 * Everything the runtime holds for one object, made on first use and kept
 * for the runtime's life: its address, its store and transaction lane, and
 * its live instance if it has one. It outlives instances (eviction, reset,
 * hibernation), so what production keeps across them belongs here: the
 * storage handle now, the SQL database and accepted WebSockets next.
 */
export class ObjectRecord implements StorageOwner {
  readonly id: DurableObjectId;
  readonly address: ObjectAddress;
  readonly store: ObjectStore;
  readonly lane = new TransactionLane();
  readonly #class: RegisteredClass;
  readonly #context: RecordContext;
  #instance: ObjectInstance | undefined;

  constructor(id: DurableObjectId, address: ObjectAddress, store: ObjectStore, registered: RegisteredClass, context: RecordContext) {
    this.id = id;
    this.address = address;
    this.store = store;
    this.#class = registered;
    this.#context = context;
  }

  /** The live instance, if there is one (never makes one). */
  get liveInstance(): ObjectInstance | undefined {
    return this.#instance;
  }

  /** The live instance, made (not yet constructed) if there is none. */
  instance(): ObjectInstance {
    if (this.#instance !== undefined) return this.#instance;
    const instance = new ObjectInstance(this.id, {
      resolveClass: () => this.resolveClass(),
      makeStorage: (gates) => this.storage(gates),
      forget: (gone) => {
        if (this.#instance !== gone) return;
        this.#instance = undefined;
        this.#context.liveChanged(this, false);
      },
      trackBackground: (promise) => this.#context.trackBackground(promise),
    });
    this.#instance = instance;
    this.#context.liveChanged(this, true);
    return instance;
  }

  /** The object's storage API: gated by a live instance, or (no gates) as reached from outside. */
  storage(gates?: InstanceGates): DurableObjectStorage {
    return new DurableObjectStorage(this.store, new ObjectStorageHost(this, gates), this.lane);
  }

  resolveClass(): ResolvedClass | Promise<ResolvedClass> {
    return this.#class.spec.resolve();
  }

  alarmChanged(time: number | null): void {
    this.#context.alarmChanged(this.address, time);
  }
}
