import { addressKey, type ObjectAddress } from "../storage/address.js";
import { namespaceOf, type DurableObjectId } from "./id.js";
import { ObjectRecord, type RecordContext } from "./object-record.js";
import type { ClassRegistry } from "./class-registry.js";
import type { StorageBackend } from "../storage/backend.js";
import type { ObjectInstance } from "./instance.js";
import type { ObjectWebSockets } from "./websockets/object-websockets.js";
import { andThen } from "../base/awaitable.js";
import { DurableObjectClassHandle } from "./loopback-class.js";
import type { ResolvedClass } from "./class-registry.js";

/** Database files kept open beyond those in use (with WAL, three descriptors each). */
const OPEN_FILES = 32;

/** The address of an id: its namespace identity and hex form. */
export function addressOf(id: DurableObjectId): ObjectAddress {
  return { namespace: namespaceOf(id), id: id.toString() };
}

/** One record per object of a runtime, by address, made on first use. */
export class ObjectTable {
  readonly #records = new Map<string, ObjectRecord>();
  /** The same records by id object: a stub asks on every call, and the address key is a new string each time. */
  readonly #byId = new WeakMap<DurableObjectId, ObjectRecord>();
  /** Records with a live instance: eviction between tests visits only these. */
  readonly #live = new Set<ObjectRecord>();
  /** Records with a SQLite database (its file open or suspended): isolation layers visit only these. */
  readonly #sqlite = new Set<ObjectRecord>();
  /** Records whose database file is open, least recently opened first: beyond the bound, idle ones are suspended. */
  readonly #openFiles = new Set<ObjectRecord>();
  /** Records that have kept WebSockets: what the end of every test visits, rather than every record. */
  readonly #withSockets = new Set<ObjectRecord>();
  readonly #classes: ClassRegistry;
  readonly #backend: StorageBackend;
  readonly #context: RecordContext;

  constructor(
    classes: ClassRegistry,
    backend: StorageBackend,
    context: Omit<RecordContext, "liveChanged" | "sqliteOpened" | "webSocketsOpened" | "resolveFacetClass">,
  ) {
    this.#classes = classes;
    this.#backend = backend;
    this.#context = {
      ...context,
      liveChanged: (record, live) => {
        if (live) this.#live.add(record);
        else this.#live.delete(record);
      },
      sqliteOpened: (record) => {
        this.#sqlite.add(record);
        this.#fileOpened(record);
      },
      webSocketsOpened: (record) => this.#withSockets.add(record),
      resolveFacetClass: (value) => this.#facetClass(value),
    };
  }

  /**
   * A record's database file was opened (first use, or again after it was
   * suspended). Beyond OPEN_FILES, the least recently opened idle databases
   * are closed (each holds three descriptors with WAL), so a runtime touching
   * thousands of objects stays within the process's descriptor limit; the
   * next use of one opens it again.
   */
  #fileOpened(record: ObjectRecord): void {
    this.#openFiles.delete(record);
    this.#openFiles.add(record);
    if (this.#openFiles.size <= OPEN_FILES) return;
    for (const other of this.#openFiles) {
      if (this.#openFiles.size <= OPEN_FILES) break;
      if (other !== record && other.suspendSqlite()) this.#openFiles.delete(other);
    }
  }

  /** The class a facet's startup options name: a Durable Object class of the worker, as `ctx.exports.X` (or `X({ props })`) gives it. */
  #facetClass(value: unknown): ResolvedClass | Promise<ResolvedClass> {
    const named = DurableObjectClassHandle.facetClassOf(value);
    if (named === undefined) {
      const got = typeof value === "function" ? "a class itself" : value === null ? "null" : typeof value;
      throw new TypeError(
        `A facet's startup options need { class: ctx.exports.<ClassName> } (a Durable Object class of the worker, as ctx.exports gives it), but class was ${got}. ` +
          "ctx.exports is on from compatibility date 2025-11-17, or with the enable_ctx_exports flag.",
      );
    }
    return andThen(this.#classes.get(named.identity).spec.resolve(), (resolved): ResolvedClass => ({ ...resolved, props: named.props }));
  }

  /** The record of `id`, made if there is none; the id's class must be registered. */
  record(id: DurableObjectId): ObjectRecord {
    // Records are never dropped, so an id's record stays its record.
    let record = this.#byId.get(id);
    if (record !== undefined) return record;
    const address = addressOf(id);
    const key = addressKey(address);
    record = this.#records.get(key);
    if (record === undefined) {
      const registered = this.#classes.get(address.namespace);
      record = new ObjectRecord(id, address, this.#backend.object(address), registered, this.#context);
      this.#records.set(key, record);
    }
    this.#byId.set(id, record);
    return record;
  }

  /** The record at `address` if its class is still registered (stored data may outlive its class). */
  recordAt(address: ObjectAddress): ObjectRecord | undefined {
    const existing = this.#records.get(addressKey(address));
    if (existing !== undefined) return existing;
    const registered = this.#classes.find(address.namespace);
    return registered && this.record(registered.ids.idFromString(address.id));
  }

  /** The live instance of `id`, without making a record or an instance. */
  liveInstance(id: DurableObjectId): ObjectInstance | undefined {
    return this.#records.get(addressKey(addressOf(id)))?.liveInstance;
  }

  /** Records whose SQLite database is open. */
  sqliteRecords(): ObjectRecord[] {
    return [...this.#sqlite];
  }

  /** The WebSockets of every object that holds one. */
  webSockets(): ObjectWebSockets[] {
    const found: ObjectWebSockets[] = [];
    for (const record of this.#withSockets) {
      const sockets = record.openWebSockets;
      if (sockets !== undefined && sockets.size > 0) found.push(sockets);
    }
    return found;
  }

  /** The record of `id` if one was made. */
  existingRecord(id: DurableObjectId): ObjectRecord | undefined {
    return this.#records.get(addressKey(addressOf(id)));
  }

  /** Every live instance now. */
  liveInstances(): ObjectInstance[] {
    return [...this.#live].map((record) => record.liveInstance!);
  }
}
