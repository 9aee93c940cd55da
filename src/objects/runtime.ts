import type { ObjectStorage } from "./object-storage.js";
import { AlarmScheduler } from "./alarms/scheduler.js";
import { runAlarm } from "./alarms/runner.js";
import { ClassRegistry, type ObjectClassSpec } from "./class-registry.js";
import { addressOf, ObjectTable } from "./object-table.js";
import { namespaceOf, type DurableObjectId } from "./id.js";
import { AlarmClaims } from "./alarms/claims.js";
import { DurableObjectNamespace } from "./namespace.js";
import { DuraboxError } from "../base/errors.js";
import { internal } from "../base/internal.js";
import type { ObjectInstance } from "./instance.js";
import type { ObjectAddress } from "../storage/address.js";
import type { ObjectEventHook } from "./events.js";
import type { StorageBackend } from "../storage/backend.js";
import { evictsSockets, type EvictOptions } from "./eviction.js";
import { HIBERNATE_AFTER_MS } from "./websockets/limits.js";

/**
 * Every Durable Object of one Durabox: the classes (ClassRegistry), one
 * record per object (ObjectTable) with at most one live instance, their
 * storage on one backend, and their alarms. This is the layer the public
 * Durabox class and the test environments drive.
 */
export class ObjectRuntime {
  readonly backend: StorageBackend;
  readonly alarms: AlarmScheduler;
  readonly #classes = new ClassRegistry();
  readonly #objects: ObjectTable;
  readonly #background = new Set<Promise<unknown>>();
  /** Storage shared with other runtimes (Redis): which runtime runs each alarm. */
  readonly #alarmClaims: AlarmClaims;

  /** The key-value backend's isolation layers (a LayeredBackend), when the runtime has them. */
  readonly #layers: IsolationLayers | undefined;
  #layerDepth = 0;
  #disposed = false;

  constructor(
    backend: StorageBackend,
    options: {
      automaticAlarms: boolean;
      layers?: IsolationLayers;
      /** Idle time after which an object holding only hibernatable WebSockets is evicted (production: about 10 s). */
      hibernateAfterMs?: number;
      onEvent?: ObjectEventHook;
    },
  ) {
    this.backend = backend;
    this.#layers = options.layers;
    this.#objects = new ObjectTable(this.#classes, backend, {
      alarmChanged: (address, time) => this.#alarmChanged(address, time),
      trackBackground: (promise) => this.trackBackground(promise),
      sqliteFile: (address) => backend.sqliteFile?.(address),
      layerDepth: () => this.#layerDepth,
      ...(options.onEvent !== undefined && { onEvent: options.onEvent }),
      hibernateAfterMs: options.hibernateAfterMs ?? HIBERNATE_AFTER_MS,
    });
    this.alarms = new AlarmScheduler((address, retryCount) => {
      const record = this.#objects.recordAt(address);
      return record === undefined ? Promise.resolve("none") : runAlarm(record, retryCount, this.#alarmClaims);
    }, options.automaticAlarms);
    this.#alarmClaims = new AlarmClaims(this.alarms);
  }

  define(spec: ObjectClassSpec): void {
    this.#classes.define(spec);
  }

  namespace(identity: string): DurableObjectNamespace {
    const { ids, spec } = this.#classes.get(identity);
    return new DurableObjectNamespace(ids, { instance: (id) => this.instance(id), rpc: spec.rpc });
  }

  /** The live instance for `id`, made (not yet constructed) if there is none. */
  instance(id: DurableObjectId): ObjectInstance {
    // After dispose() a stub taken before must not run the object's code again.
    if (this.#disposed) throw disposedError();
    return this.#objects.record(id).instance();
  }

  /** The live instance for `id`, without making one. */
  liveInstance(id: DurableObjectId): ObjectInstance | undefined {
    return this.#objects.liveInstance(id);
  }

  /** Storage of `id` from outside the object: does not construct it. */
  storage(id: DurableObjectId): ObjectStorage {
    return this.#objects.record(id).storage();
  }

  /**
   * Starts an isolation layer over all storage: the key-value backend's, and
   * a savepoint in every SQLite database (those opened later start with as
   * many). O(1) in what is stored.
   */
  pushLayer(): void {
    if (this.#layers === undefined) throw internal("this runtime has no isolation layers");
    this.#layers.push();
    this.#layerDepth++;
    for (const record of this.#objects.sqliteRecords()) record.openSqlite!.push();
  }

  /** Drops the innermost layer; returns the objects whose stored alarm may have changed. */
  popLayer(): ObjectAddress[] {
    if (this.#layers === undefined || this.#layerDepth === 0) throw internal("popLayer() without pushLayer()");
    const changed = this.#layers.pop();
    this.#layerDepth--;
    for (const record of this.#objects.sqliteRecords()) {
      // Only a database written in the layer can have had its alarm changed (as the layered
      // backend reports key-value objects); a facet has no alarm to reschedule.
      if (record.openSqlite!.pop() && record.facetDepth === 0) changed.push(record.address);
    }
    return changed;
  }

  /**
   * Drops the live instance of `id`; the next event constructs a new one.
   * Its hibernatable WebSockets stay open (`webSockets: "hibernate"`, the
   * default) or are dropped without a Close frame, calling no handler
   * (`"close"`: the peer sees 1006). Returns whether an instance was live.
   */
  evict(id: DurableObjectId, options?: EvictOptions): boolean {
    const closeSockets = evictsSockets(options);
    if (closeSockets) this.#objects.existingRecord(id)?.openWebSockets?.dropAll();
    const instance = this.liveInstance(id);
    if (instance === undefined) return false;
    instance.reset(evictedError());
    return true;
  }

  /** Drops every live instance (what the test environments do between tests); WebSockets as evict() says. */
  evictAll(options?: EvictOptions): void {
    if (evictsSockets(options)) for (const sockets of this.#objects.webSockets()) sockets.dropAll();
    for (const instance of this.#objects.liveInstances()) instance.reset(evictedError());
  }

  /**
   * Cancels the calls through stubs still queued or running in any object
   * (a test ended without awaiting them), aborting the instances that hold
   * them; returns what each call was (`Class.method()`).
   */
  cancelCalls(error: (calls: readonly string[]) => Error): string[] {
    return [...this.#objects.liveInstances()].flatMap((instance) => instance.cancelCalls(error));
  }

  /**
   * Aborts every live instance at once with `reason`: the events running or
   * queued in them fail with it; with `breakStubs` (cloudflare:test's
   * abortAllDurableObjects()) so do later calls through the stubs that reached
   * them. Storage stays.
   */
  abortAll(reason: Error, options?: { breakStubs?: boolean }): void {
    const how = { retryAlarm: true, breakStubs: options?.breakStubs === true };
    for (const instance of this.#objects.liveInstances()) instance.abortWith(reason, how);
  }

  /**
   * Closes, with a Close frame carrying `code` to the peer and no handler
   * called, the WebSockets accepted in isolation scopes deeper than `depth`
   * (all of them with 0): what a test opened ends with it.
   */
  closeWebSockets(depth: number, code: number, reason: string): void {
    for (const sockets of this.#objects.webSockets()) sockets.closeScope(depth, code, reason);
  }

  /** The isolation layers in force. */
  get layerDepth(): number {
    return this.#layerDepth;
  }

  /** Ids in a namespace that hold data or an alarm, or have a live instance. */
  async listIds(identity: string): Promise<DurableObjectId[]> {
    const { ids } = this.#classes.get(identity);
    const hexes = new Set(await this.backend.listObjects(identity));
    for (const instance of this.#objects.liveInstances()) {
      if (namespaceOf(instance.id) === identity) hexes.add(instance.id.toString());
    }
    for (const record of this.#objects.sqliteRecords()) {
      if (record.facetDepth === 0 && record.address.namespace === identity && !record.openSqlite!.isEmpty) hexes.add(record.address.id);
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
      const record = this.#objects.recordAt(address);
      if (record !== undefined) this.#alarmChanged(address, await record.readAlarm());
    }
  }

  /** Waits for work handed to waitUntil(). */
  async settleBackground(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.alarms.dispose();
    this.#alarmClaims.dispose();
    this.closeWebSockets(-1, 1001, "");
    // Calls running or queued in an object settle: they reject, as every later call does.
    this.abortAll(disposedError());
    await this.settleBackground();
    for (const record of this.#objects.sqliteRecords()) record.close();
    await this.backend.close();
  }

  /** Work handed to waitUntil(): dispose() waits for it. */
  trackBackground(promise: Promise<unknown>): void {
    this.#background.add(promise);
    const done = (): boolean => this.#background.delete(promise);
    promise.then(done, done);
  }

  #alarmChanged(address: ObjectAddress, time: number | null): void {
    if (time === null) this.alarms.cancel(address);
    else this.alarms.schedule(address, time);
  }
}

/** Push/pop copy-on-write layers of the key-value backend (LayeredBackend). */
export interface IsolationLayers {
  push(): void;
  pop(): ObjectAddress[];
}

function disposedError(): DuraboxError {
  return new DuraboxError(
    "ERR_DISPOSED",
    "This Durable Object belongs to a disposed runtime: the call was not run. Create a new Durabox (or, in a test, use the current env) to reach it again.",
  );
}

function evictedError(): DuraboxError {
  return new DuraboxError(
    "ERR_EVICTED",
    "This Durable Object instance was evicted (or the runtime disposed) while an event was waiting for it; a new call constructs a fresh instance.",
  );
}
