import type { ObjectAddress } from "../storage/address.js";
import { KeyValueObjectStorage, type ObjectStorage } from "./object-storage.js";
import { SqliteDurableObjectStorage, type CommitControl } from "../sql/durable-object-storage.js";
import { SqliteObjectStorage } from "../sql/sqlite-object-storage.js";
import { DamagedWal } from "../sql/wal-check.js";
import { loadSqliteDriver } from "../sql/load-driver.js";
import type { Awaitable } from "../base/awaitable.js";
import type { SqliteFile } from "../storage/backend.js";
import { TransactionLane } from "../storage/transaction-lane.js";
import { ObjectInstance } from "./instance.js";
import type { RegisteredClass, ResolvedClass } from "./class-registry.js";
import { ObjectStorageHost, type InstanceGates, type StorageOwner } from "./storage-host.js";
import type { ObjectStore } from "../storage/backend.js";
import type { DurableObjectId } from "./id.js";
import type { ObjectEventHook } from "./events.js";
import { ObjectWebSockets } from "./websockets/object-websockets.js";
import { realClearTimeout, realSetTimeout } from "../base/clock.js";
import { DuraboxError } from "../base/errors.js";
import { realQueueMicrotask } from "../base/clock.js";
import { FacetTree, type FacetInstance, type FacetRecord } from "./facets/facet-tree.js";
import { FACET_ALARMS_REFUSED } from "./facets/limits.js";
import { MemoryObjectStore } from "../storage/backends/memory.js";
import { markHandle } from "../rpc/registry.js";

/** Why a SQLite-backed object's database could not be opened, naming its file and object: damage (refused until repaired) or storage. */
function openFailure(file: SqliteFile, error: unknown): Error {
  if (error instanceof DamagedWal) return file.failure({ operation: "opening", error, outcome: "", corrupt: true });
  let info: ReturnType<ReturnType<typeof loadSqliteDriver>["describeError"]>;
  try {
    info = loadSqliteDriver().describeError(error);
  } catch {
    info = undefined;
  }
  const corrupt = info?.code === "SQLITE_CORRUPT" || info?.code === "SQLITE_NOTADB";
  const message = info === undefined ? error : new Error(`${info.message}: ${info.code}`, { cause: error });
  return file.failure({ operation: "opening", error: message, code: info?.code, corrupt, outcome: "Nothing stored was changed." });
}

/** What every record of one runtime shares. */
export interface RecordContext {
  /** Told after an object's stored alarm changed, to (re)schedule or cancel it. */
  alarmChanged(address: ObjectAddress, time: number | null): void;
  /** Work handed to waitUntil(): the runtime waits for it on dispose. */
  trackBackground(promise: Promise<unknown>): void;
  /** Told when the record gains or loses its live instance. */
  liveChanged(record: ObjectRecord, live: boolean): void;
  /** Where a SQLite-backed object's database lives (undefined: in memory). */
  sqliteFile(address: ObjectAddress): SqliteFile | undefined;
  /** Test isolation layers in force: a database opened now starts with as many. */
  layerDepth(): number;
  /** Told when the record opens its SQLite database. */
  sqliteOpened(record: ObjectRecord): void;
  /** Told when the record first keeps WebSockets. */
  webSocketsOpened(record: ObjectRecord): void;
  /** Told of every object event (verbose logging); absent when nobody listens. */
  onEvent?: ObjectEventHook;
  /** Idle time after which an instance holding only hibernatable WebSockets is evicted. */
  readonly hibernateAfterMs: number;
  /** The class a facet's startup options name (`ctx.exports.X`). */
  resolveFacetClass(value: unknown): ResolvedClass | Promise<ResolvedClass>;
}

/**
 * Everything the runtime holds for one object, made on first use and kept
 * for the runtime's life: its address, its store and transaction lane, and
 * its live instance if it has one. It outlives instances (eviction, reset,
 * hibernation), so what production keeps across them belongs here: the
 * storage handle, the SQL database and the accepted WebSockets.
 */
export class ObjectRecord implements StorageOwner, FacetRecord {
  /** The object's id; a facet's is what its run's startup options chose (a string, or by default its parent's id). */
  id: DurableObjectId;
  /** 0 for a Durable Object; a facet's depth below its root otherwise. */
  readonly facetDepth: number;
  readonly address: ObjectAddress;
  readonly store: ObjectStore;
  readonly lane = new TransactionLane();
  /** Accepted WebSockets (hibernatable ones outlive the instance), made on first use. */
  #webSockets: ObjectWebSockets | undefined;
  readonly #class: RegisteredClass;
  readonly #context: RecordContext;
  #instance: ObjectInstance | undefined;
  /** A SQLite-backed object's database, opened on first use and kept across instances. */
  #sqlite: SqliteObjectStorage | undefined;
  #sqliteFile: SqliteFile | undefined;
  /** Changes of the stored alarm so far: an alarm() that made one keeps what it set, even the same time. */
  #alarmWrites = 0;
  /** While alarm() runs and has set no other alarm, getAlarm() answers null (production's deferred delete). */
  #alarmHidden = false;
  /** Async transactions in progress: while any is, the implicit transaction is not committed at the end of a run. */
  #commitHolds = 0;
  #hibernateTimer: ReturnType<typeof setTimeout> | undefined;
  /** ctx.facets' records and runs, made on first use. */
  #facets: FacetTree | undefined;
  /** A facet's class for its current run (set by startRun; its spec resolves to it). */
  #facetRun: { resolved: ResolvedClass | undefined } | undefined;
  readonly #commits: CommitControl = {
    hold: () => void this.#commitHolds++,
    release: () => void this.#commitHolds--,
  };

  constructor(
    id: DurableObjectId,
    address: ObjectAddress,
    store: ObjectStore,
    registered: RegisteredClass,
    context: RecordContext,
    facetDepth = 0,
  ) {
    this.id = id;
    this.address = address;
    this.store = store;
    this.#class = registered;
    this.#context = context;
    this.facetDepth = facetDepth;
  }

  /** The object's facets (ctx.facets): a record per name, each with its database beside this one's. */
  get facets(): FacetTree {
    this.#facets ??= new FacetTree({
      depth: this.facetDepth,
      ownerId: () => this.id,
      makeRecord: (name) => this.#facetRecord(name),
      storedNames: () => this.#context.sqliteFile(this.address)?.facetNames() ?? [],
      resolveClass: (value) => this.#context.resolveFacetClass(value),
    });
    return this.#facets;
  }

  /** A facet's record: SQLite storage of its own (beside this object's), no alarms, this object's runtime. */
  #facetRecord(name: string): ObjectRecord {
    const address: ObjectAddress = { namespace: this.address.namespace, id: `${this.address.id}/${name}` };
    const parentFile = (): SqliteFile | undefined => this.#context.sqliteFile(this.address);
    let file: SqliteFile | undefined;
    const context: RecordContext = {
      ...this.#context,
      // Refused before they are stored (alarmRefusal); nothing to schedule.
      alarmChanged: () => {},
      // A facet's instance lives while its parent's does: the parent's end ends it (abortAll).
      liveChanged: () => {},
      sqliteFile: () => (file ??= parentFile()?.facet(name)),
    };
    // The spec reads the facet's class of the moment (startRun sets it), through the record made below.
    const current = { resolved: undefined as ResolvedClass | undefined };
    const registered: RegisteredClass = {
      ids: this.#class.ids,
      spec: {
        identity: `${this.#class.spec.identity}/${name}`,
        get className() {
          return current.resolved?.objectClass.name ?? name;
        },
        storageKind: "sqlite",
        webSocketAutoReplyToClose: this.#class.spec.webSocketAutoReplyToClose ?? true,
        resolve: () => current.resolved!,
      },
    };
    const facet = new ObjectRecord(this.id, address, new MemoryObjectStore({ closed: false }), registered, context, this.facetDepth + 1);
    facet.#facetRun = current;
    return facet;
  }

  // FacetRecord: what the parent's tree does with this facet.

  startRun(resolved: ResolvedClass, id: DurableObjectId | string): FacetInstance {
    this.#facetRun!.resolved = resolved;
    // workerd gives a facet started with a string id that string as ctx.id.
    this.id = id as DurableObjectId;
    return this.instance();
  }

  wipeStorage(): void {
    this.sqlite.deleteAll();
    this.sqlite.commit();
  }

  copyStorageFrom(source: FacetRecord): void {
    this.sqlite.copyFrom((source as ObjectRecord).sqlite);
    this.sqlite.commit();
  }

  /** Facets cannot set alarms (workerd's FacetAlarmHooks): the error setAlarm() fails with, or undefined. */
  alarmRefusal(): Error | undefined {
    return this.facetDepth > 0 ? new Error(FACET_ALARMS_REFUSED) : undefined;
  }

  /** The object's storage was deleted (deleteAll): its facets' goes too, as workerd deletes their databases. */
  deletedAll(): void {
    this.facets.deleteAll();
  }

  /** The object's WebSockets, made on first use (most objects never have one). */
  get webSockets(): ObjectWebSockets {
    if (this.#webSockets === undefined) {
      this.#webSockets = new ObjectWebSockets({
        deliver: (event) => this.instance().deliver(0, event),
        scopeDepth: () => this.#context.layerDepth(),
        autoReplyToClose: this.#class.spec.webSocketAutoReplyToClose ?? true,
        eventTimedOut: (error) => this.#instance?.abortWith(error, { retryAlarm: true, breakStubs: false }),
      });
      this.#context.webSocketsOpened(this);
    }
    return this.#webSockets;
  }

  /**
   * An instance finished its events. If it holds hibernatable WebSockets
   * and nothing else keeps it (no socket it accept()ed), it hibernates after
   * a while without events, as production evicts idle objects: the next
   * message constructs it again.
   */
  #idle(instance: ObjectInstance): void {
    const sockets = this.#webSockets;
    if (sockets === undefined || !sockets.canHibernate) return;
    if (this.#hibernateTimer !== undefined) realClearTimeout(this.#hibernateTimer);
    this.#hibernateTimer = realSetTimeout(() => {
      this.#hibernateTimer = undefined;
      if (this.#instance !== instance || instance.busy || !sockets.canHibernate) return;
      instance.reset(
        new DuraboxError(
          "ERR_EVICTED",
          "This Durable Object instance hibernated while an event was waiting for it; a new call constructs a fresh instance.",
        ),
      );
    }, this.#context.hibernateAfterMs);
    this.#hibernateTimer.unref?.();
  }

  /**
   * Restores what onNextSessionRestore() or onNextSessionRestoreBookmark() scheduled, if anything, and
   * commits it; a snapshot's restore clears the alarm, which the scheduler and the mirror must hear of.
   */
  #restorePending(): void {
    const sqlite = this.#sqlite;
    if (sqlite?.restorePendingBookmark() !== true) return;
    if (this.#commitHolds === 0) sqlite.commit();
    this.alarmChanged(sqlite.getAlarm());
  }

  /** The object's WebSockets if it ever had one. */
  get openWebSockets(): ObjectWebSockets | undefined {
    return this.#webSockets;
  }

  /** The live instance, if there is one (never makes one). */
  get liveInstance(): ObjectInstance | undefined {
    return this.#instance;
  }

  /** The live instance, made (not yet constructed) if there is none. */
  instance(): ObjectInstance {
    if (this.#instance !== undefined) return this.#instance;
    this.#restorePending();
    const instance = new ObjectInstance(this.id, {
      resolveClass: () => this.resolveClass(),
      makeStorage: (gates) => this.storage(gates),
      flushWrites: () => {
        if (this.#commitHolds === 0) this.#sqlite?.commit();
      },
      forget: (gone, error) => {
        if (this.#instance !== gone) return;
        this.#instance = undefined;
        // The facets' runs end with the instance that started them (workerd aborts them with its reason).
        this.#facets?.abortAll(error);
        // The session ended: a restore it scheduled takes effect now, so it is stored even if no session follows.
        this.#restorePending();
        // Sockets the instance accept()ed end with it; hibernatable ones stay here.
        this.#webSockets?.instanceGone();
        this.#context.liveChanged(this, false);
      },
      webSockets: () => this.webSockets,
      facets: () => this.facets,
      idle: (idle) => this.#idle(idle),
      trackBackground: (promise) => this.#context.trackBackground(promise),
      ...(this.#context.onEvent !== undefined && {
        onEvent: (label) => this.#context.onEvent!({ ...label, className: this.#class.spec.className, id: this.id }),
      }),
    });
    this.#instance = instance;
    this.#context.liveChanged(this, true);
    return instance;
  }

  get isSqlite(): boolean {
    return this.#class.spec.storageKind === "sqlite";
  }

  /** The object's storage API: gated by a live instance, or (no gates) as reached from outside. */
  storage(gates?: InstanceGates): ObjectStorage {
    const host = new ObjectStorageHost(this, gates);
    // One public type for both kinds, as workers-types has it.
    if (this.isSqlite) {
      const options = { inFacet: this.facetDepth > 0, transferable: markHandle };
      return new SqliteDurableObjectStorage(this.sqlite, host, this.#commits, options);
    }
    return new KeyValueObjectStorage(this.store, host, this.lane);
  }

  /** The SQLite database of a SQLite-backed object, opened (and given the layers in force) on first use. */
  get sqlite(): SqliteObjectStorage {
    if (this.#sqlite !== undefined) return this.#sqlite;
    const file = this.#context.sqliteFile(this.address);
    let opened = false;
    let sqlite: SqliteObjectStorage;
    try {
      sqlite = this.#openSqlite(file, () => opened);
    } catch (error) {
      throw file === undefined ? error : openFailure(file, error);
    }
    for (let depth = this.#context.layerDepth(); depth > 0; depth--) sqlite.push();
    this.#sqlite = sqlite;
    this.#sqliteFile = file;
    // The mirror a new runtime schedules alarms from may lag a crash: mend it.
    file?.mirrorAlarm(sqlite.getAlarm());
    opened = true;
    this.#context.sqliteOpened(this);
    return sqlite;
  }

  #openSqlite(file: SqliteFile | undefined, opened: () => boolean): SqliteObjectStorage {
    const sqlite: SqliteObjectStorage = new SqliteObjectStorage({
      ...(file !== undefined && { location: file.path }),
      // Opened again after being suspended: the table counts it among the open files again.
      onOpen: () => {
        if (opened()) this.#context.sqliteOpened(this);
      },
      pointInTimeRecovery: true,
      scheduleCommit: (commit) => {
        // Inside an async transaction the commit waits for its end (it commits or rolls back itself).
        // The captured queueMicrotask: Jest's fake timers replace the global one.
        if (this.#commitHolds === 0) realQueueMicrotask(commit);
      },
      // A commit that fails (a full disk, a deferred constraint) breaks the output gate and resets the
      // object, as production does: the events waiting to answer fail with it. From outside (no instance)
      // the next storage call throws it.
      onCommitError: (error) => {
        const instance = this.#instance;
        if (instance === undefined) return sqlite.transactions.failNextCall(error);
        instance.outputGate.break(error);
        instance.reset(error);
      },
      ...(file !== undefined && {
        storageFailure: (error: Error, code: string) =>
          file.failure({
            operation: "commit",
            error,
            code,
            outcome:
              "The writes of this event were rolled back, none of them is stored, and the object was reset: its response fails with this error.",
          }),
      }),
    });
    // The first read: a damaged db.sqlite fails here, not later inside an event.
    sqlite.getAlarm();
    return sqlite;
  }

  /**
   * Closes the database file while the object is idle (nothing open in it,
   * no async transaction in progress); its next use opens it again. False
   * when it cannot be now.
   */
  suspendSqlite(): boolean {
    if (this.#commitHolds > 0 || this.#sqlite === undefined) return false;
    return this.#sqlite.suspend();
  }

  /** The open SQLite database, without opening one. */
  get openSqlite(): SqliteObjectStorage | undefined {
    return this.#sqlite;
  }

  /** The stored alarm time, wherever the class keeps it. */
  readAlarm(): Awaitable<number | null> {
    return this.isSqlite ? this.sqlite.getAlarm() : this.store.getAlarm();
  }

  /** Removes the stored alarm (after it ran), through the instance's output gate; without gates, from outside (the instance was aborted). */
  clearAlarm(gates?: InstanceGates): Promise<unknown> {
    if (!this.isSqlite) return new ObjectStorageHost(this, gates).writeWithResult(this.store.commit({ alarm: null }));
    this.sqlite.deleteAlarm();
    this.sqlite.commit();
    this.#sqliteFile?.mirrorAlarm(null);
    return Promise.resolve();
  }

  resolveClass(): ResolvedClass | Promise<ResolvedClass> {
    return this.#class.spec.resolve();
  }

  alarmChanged(time: number | null): void {
    this.#alarmWrites++;
    this.#alarmHidden = false;
    this.#sqliteFile?.mirrorAlarm(time);
    this.#context.alarmChanged(this.address, time);
  }

  get alarmHidden(): boolean {
    return this.#alarmHidden;
  }

  /** alarm() is about to run: hides the alarm from getAlarm(); returns the mark alarmSetSince() compares with. */
  alarmStarting(): number {
    this.#alarmHidden = true;
    return this.#alarmWrites;
  }

  /** alarm() has returned or thrown. */
  alarmEnded(): void {
    this.#alarmHidden = false;
  }

  /** Whether the stored alarm was set or deleted since `mark` (alarmStarting's). */
  alarmSetSince(mark: number): boolean {
    return this.#alarmWrites !== mark;
  }

  /** Closes the SQLite database, if open (the runtime is disposing). */
  close(): void {
    if (this.#hibernateTimer !== undefined) realClearTimeout(this.#hibernateTimer);
    this.#sqlite?.close();
  }
}
