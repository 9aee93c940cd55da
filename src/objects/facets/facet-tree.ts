import type { Awaitable } from "../../base/awaitable.js";
import type { AbortHow } from "../abort.js";
import { abortError } from "../abort.js";
import type { DurableObjectId } from "../id.js";
import { FACET_CLONED_OVER, FACET_DELETED, MAX_FACETS } from "./limits.js";

/** The class a facet runs, as the runtime resolved it (objects/class-registry.ts; opaque here). */
export type ResolvedFacetClass = object;

/** A facet's live instance, as the tree and its stubs use it (objects/instance.ts). */
export interface FacetInstance {
  deliver<T>(depth: number, event: (object: object) => Awaitable<T>): Promise<T>;
  announce(type: "fetch" | "rpc", detail?: () => string | undefined): void;
  abortWith(error: Error, how: AbortHow): void;
}

/** One facet's record (objects/object-record.ts): it outlives the facet's runs, as its database does. */
export interface FacetRecord {
  /** Starts a run: the next instance is of `resolved`'s class and sees `id` as ctx.id. */
  startRun(resolved: ResolvedFacetClass, id: DurableObjectId | string): FacetInstance;
  /** The facet's own facets. */
  readonly facets: FacetTree;
  /** Empties the facet's database (key-value data and SQL) in the implicit transaction, committed at once. */
  wipeStorage(): void;
  /** Replaces the facet's database with a copy of `source`'s. */
  copyStorageFrom(source: FacetRecord): void;
}

/** What a tree needs of the object it belongs to. */
export interface FacetOwner {
  /** The owner's depth in its facet tree: the root Durable Object is 0. */
  readonly depth: number;
  /** The owner's ctx.id now: a facet's by default. */
  ownerId(): DurableObjectId | string;
  /** The record of the facet `name` (its database beside the owner's), made on first use. */
  makeRecord(name: string): FacetRecord;
  /** Names of the facets whose database is stored (file persistence), whether used in this process or not. */
  storedNames(): string[];
  /** The class a startup callback's `class` names: `ctx.exports.X`. */
  resolveClass(value: unknown): ResolvedFacetClass | Promise<ResolvedFacetClass>;
}

/** The startup callback of ctx.facets.get(). */
export type StartupCallback = () => unknown;

/**
 * One run of a facet (workerd's ActorContainer): what the stubs that reached
 * it keep calling until it is aborted; then they fail with the reason and a
 * new get() starts another run.
 */
export interface FacetRun {
  /** The run's instance, once the startup callback has answered. */
  readonly instance: FacetInstance | Promise<FacetInstance>;
}

/**
 * The facets of one object: a record per name (its database), the run of
 * each facet started since the owner's instance began, abort/delete/clone as
 * workerd's FacetManager (server.c++) does them.
 */
export class FacetTree {
  readonly #owner: FacetOwner;
  readonly #records = new Map<string, FacetRecord>();
  readonly #runs = new Map<string, { run: FacetRun; instance?: FacetInstance }>();

  constructor(owner: FacetOwner) {
    this.#owner = owner;
  }

  get depth(): number {
    return this.#owner.depth;
  }

  /** The run of `name`, started (the callback called) if none is going. */
  run(name: string, callback: StartupCallback): FacetRun {
    const going = this.#runs.get(name);
    if (going !== undefined) return going.run;
    const entry: { run: FacetRun; instance?: FacetInstance } = { run: { instance: undefined as never } };
    const started = this.#start(name, callback).then(
      (instance) => {
        entry.instance = instance;
        return instance;
      },
      (error: unknown) => {
        // A startup that failed leaves no run: the next call starts again.
        if (this.#runs.get(name) === entry) this.#runs.delete(name);
        throw error;
      },
    );
    (entry.run as { instance: unknown }).instance = started;
    this.#runs.set(name, entry);
    return entry.run;
  }

  async #start(name: string, callback: StartupCallback): Promise<FacetInstance> {
    const options: unknown = await callback();
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `The startup callback of ctx.facets.get(${JSON.stringify(name)}) must return { class, id? }, but it returned ${options === null ? "null" : typeof options}.`,
      );
    }
    const { class: classValue, id } = options as { class?: unknown; id?: unknown };
    const resolved = await this.#owner.resolveClass(classValue);
    if (id !== undefined && typeof id !== "string" && !isDurableObjectId(id)) {
      throw new TypeError(
        `The startup callback of ctx.facets.get(${JSON.stringify(name)}) returned an id that is neither a DurableObjectId nor a string (got ${id === null ? "null" : typeof id}).`,
      );
    }
    return this.#record(name).startRun(resolved, (id as DurableObjectId | string | undefined) ?? this.#owner.ownerId());
  }

  /** Aborts the run of `name` with `reason`, if one is going; its stubs fail with it, the storage stays. */
  abort(name: string, reason: unknown): void {
    const going = this.#runs.get(name);
    if (going === undefined) return;
    this.#runs.delete(name);
    const error = reason instanceof Error ? reason : abortError(String(reason));
    const stop = (instance: FacetInstance): void => instance.abortWith(error, { retryAlarm: false, breakStubs: false });
    if (going.instance !== undefined) stop(going.instance);
    else void Promise.resolve(going.run.instance).then(stop, () => undefined);
  }

  /** The owner's instance ended (reset, abort, eviction): every run ends with it, and their own facets'. */
  abortAll(error: unknown): void {
    for (const name of [...this.#runs.keys()]) this.abort(name, error);
  }

  /** Aborts `name` ("Facet was deleted.") and wipes its storage and its facets', recursively. */
  delete(name: string): void {
    this.abort(name, new Error(FACET_DELETED));
    if (this.#exists(name)) this.#wipe(this.#record(name));
  }

  /** The owner's deleteAll(): every facet's storage goes too (workerd deletes the descendants' databases). */
  deleteAll(): void {
    for (const name of this.#names()) this.delete(name);
  }

  /** Replaces `dst` (aborted: "Facet was cloned-over.") with a copy of `src`'s storage and its facets'. */
  clone(src: string, dst: string): void {
    this.abort(dst, new Error(FACET_CLONED_OVER));
    if (src === dst) return;
    if (this.#exists(dst)) this.#wipe(this.#record(dst));
    if (this.#exists(src)) copyTree(this.#record(src), this.#record(dst));
  }

  /** Names of the facets that have a record or stored data. */
  #names(): string[] {
    return [...new Set([...this.#records.keys(), ...this.#owner.storedNames()])];
  }

  #exists(name: string): boolean {
    return this.#records.has(name) || this.#owner.storedNames().includes(name);
  }

  #record(name: string): FacetRecord {
    let record = this.#records.get(name);
    if (record === undefined) {
      if (this.#records.size >= MAX_FACETS) throw new Error("Maximum number of facets exceeded");
      record = this.#owner.makeRecord(name);
      this.#records.set(name, record);
    }
    return record;
  }

  #wipe(record: FacetRecord): void {
    record.facets.deleteAll();
    record.wipeStorage();
  }

  /** @internal For copyTree: the child records of this tree, made for every stored name. */
  children(): [string, FacetRecord][] {
    return this.#names().map((name) => [name, this.#record(name)]);
  }

  /** @internal For copyTree: the record of `name`, made if needed. */
  child(name: string): FacetRecord {
    return this.#record(name);
  }
}

/** Copies `source`'s storage onto `target`, children first (as workerd's cloneFacetImpl). */
function copyTree(source: FacetRecord, target: FacetRecord): void {
  for (const [name, child] of source.facets.children()) copyTree(child, target.facets.child(name));
  target.copyStorageFrom(source);
}

function isDurableObjectId(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toString?: unknown }).toString === "function" &&
    typeof (value as { equals?: unknown }).equals === "function" &&
    /^[0-9a-f]{64}$/.test(String(value))
  );
}
