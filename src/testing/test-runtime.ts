import { Durabox } from "../durabox.js";
import type { DuraboxHost } from "../durabox-host.js";
import { DuraboxError } from "../base/errors.js";
import { DurableObjectId } from "../objects/id.js";
import { DurableObjectNamespace } from "../objects/namespace.js";
import { DurableObjectStub } from "../objects/stub.js";
import { findWranglerConfig } from "../config/wrangler.js";
import type { DuraboxOptions, Isolation, TestRuntimeOptions } from "../options.js";
import { testOptions } from "../options/declared.js";
import { checkValues } from "../options/check.js";
import { TEST_OPTION_NAMES } from "../options/names.js";
import { checkOptionKeys } from "../options/unknown.js";
import type { DurableObjectState } from "../objects/state.js";
import type { ObjectStorage } from "../objects/object-storage.js";
import { IsolationPolicy } from "./isolation-policy.js";
import type { KVNamespace } from "../bindings/kv/namespace.js";
import type { CacheStorage } from "../bindings/cache/cache-storage.js";

export type { Isolation, TestRuntimeOptions };

/** Durabox's ids and stubs, typed loosely: user code often has them typed by @cloudflare/workers-types. */
type IdOrStub = DurableObjectId | DurableObjectStub | { toString(): string } | { readonly id: { toString(): string } };

function idOf(idOrStub: IdOrStub, helper: string): DurableObjectId {
  if (idOrStub instanceof DurableObjectId) return idOrStub;
  const id = (idOrStub as { id?: unknown } | null)?.id;
  if (id instanceof DurableObjectId) return id;
  throw new TypeError(`${helper}() expects a Durable Object stub or id, from env.NAMESPACE.get(id) or idFromName(name).`);
}

/**
 * One test file's Durable Objects runtime, created on first use so a file
 * that never touches an object pays nothing. The test environments create
 * one per file, expose its helpers as globals, and call enterScope/exitScope
 * around describe blocks and tests for isolation.
 */
export class TestRuntime {
  readonly isolation: Isolation;
  /** What the environments call on their runner's suite and test events. */
  readonly events = new IsolationPolicy(this);
  readonly #options: DuraboxOptions;
  #host: DuraboxHost;
  readonly #keepWrites: boolean;
  #durabox: Durabox | undefined;
  /** Scopes entered so far (describe blocks, tests): layers owed to storage. */
  #depth = 0;
  #disposed = false;

  constructor(options: TestRuntimeOptions = {}, host: DuraboxHost = {}) {
    // The test-only options are checked here; the rest when the runtime is created.
    checkOptionKeys(options, TEST_OPTION_NAMES);
    checkValues(options as Record<string, unknown>, testOptions);
    const {
      isolation = testOptions.isolation.default,
      durableObjectsPersistWrites = testOptions.durableObjectsPersistWrites.default,
      ...runtimeOptions
    } = options;
    this.isolation = isolation;
    this.#keepWrites = durableObjectsPersistWrites;
    this.#host = host;
    // With no code given, the project's wrangler file describes the worker.
    const hasCode = runtimeOptions.script !== undefined || runtimeOptions.scriptPath !== undefined || runtimeOptions.workers !== undefined;
    if (runtimeOptions.wranglerConfigPath === undefined && !hasCode && findWranglerConfig(host.cwd ?? process.cwd()) !== undefined) {
      runtimeOptions.wranglerConfigPath = true;
    }
    this.#options = runtimeOptions;
  }

  /**
   * Loads worker entry modules through the test runner (its transforms, mocks
   * and coverage apply, and a class the test imports is the class the runtime
   * constructs). Set by the environments' setup files, before first use.
   */
  useModuleLoader(moduleLoader: NonNullable<DuraboxHost["moduleLoader"]>): void {
    if (this.#durabox !== undefined) {
      throw new DuraboxError(
        "ERR_TEST_SETUP",
        "The test runtime was used before its setup file ran: load the durabox setup file first in setupFiles.",
      );
    }
    this.#host = { ...this.#host, moduleLoader };
  }

  /**
   * A new test file starts on this runtime: the previous file's Durable
   * Objects runtime (if one was created) is disposed, and the next use
   * creates a fresh one. A runner that runs several files in one environment
   * (Vitest with \`isolate: false\`) calls this from the setup file, which runs
   * once per file; with one environment per file it does nothing.
   */
  async startFile(): Promise<void> {
    if (this.#depth !== 0) throw new Error("durabox: startFile() inside a scope");
    const previous = this.#durabox;
    if (previous === undefined) return;
    this.#durabox = undefined;
    await previous.dispose();
  }

  /** Whether the runtime has been created (a file that never used it has not). */
  get created(): boolean {
    return this.#durabox !== undefined;
  }

  /** The env if the runtime exists and is not disposed; never creates it. */
  get envIfCreated(): Record<string, unknown> | undefined {
    return this.#durabox !== undefined && !this.#disposed ? this.#durabox.envNow() : undefined;
  }

  get durabox(): Durabox {
    if (this.#disposed) throw new DuraboxError("ERR_DISPOSED", "This test file's Durable Objects runtime has been disposed.");
    if (this.#durabox === undefined) {
      const durabox = new Durabox(this.#options, this.#host);
      // A base layer: persisted data is read, never changed, unless the user asked to keep test writes.
      const base = this.#keepWrites ? 0 : 1;
      for (let i = 0; i < base + this.#depth; i++) durabox.pushLayer();
      this.#durabox = durabox;
    }
    return this.#durabox;
  }

  /** The entry worker's env: Durable Object namespaces and bindings. */
  get env(): Record<string, unknown> {
    return this.durabox.envNow();
  }

  getBindings<Env = Record<string, unknown>>(): Env {
    return this.env as Env;
  }

  /** The object's storage, without constructing the object. */
  getDurableObjectStorage(idOrStub: IdOrStub): ObjectStorage {
    return this.durabox.runtime.storage(idOf(idOrStub, "getDurableObjectStorage"));
  }

  /** Runs `callback` inside the object (constructing it), under its gates. */
  runInDurableObject<O, R>(stub: IdOrStub, callback: (instance: O, state: DurableObjectState) => R | Promise<R>): Promise<R> {
    const instance = this.durabox.runtime.instance(idOf(stub, "runInDurableObject"));
    return instance.deliver(1, (object) => callback(object as O, instance.state));
  }

  /** Runs the object's scheduled alarm now; resolves whether there was one. */
  runDurableObjectAlarm(stub: IdOrStub): Promise<boolean> {
    return this.durabox.runtime.runAlarm(idOf(stub, "runDurableObjectAlarm"));
  }

  /** Runs every scheduled alarm (or those of `ids`) now. */
  flushDurableObjectAlarms(ids?: readonly IdOrStub[]): Promise<void> {
    return this.durabox.runtime.flushAlarms(ids?.map((id) => idOf(id, "flushDurableObjectAlarms")));
  }

  /** Ids in the namespace that hold data or an alarm, or have a live instance. */
  listDurableObjectIds(namespace: DurableObjectNamespace): Promise<DurableObjectId[]> {
    if (!(namespace instanceof DurableObjectNamespace)) {
      throw new TypeError("listDurableObjectIds() expects a Durable Object namespace binding, such as env.COUNTER.");
    }
    return this.durabox.runtime.listIds(DurableObjectNamespace.identityOf(namespace));
  }

  /** Drops the object's live instance: the next call constructs it again. */
  evictDurableObject(stub: IdOrStub): boolean {
    return this.durabox.runtime.evict(idOf(stub, "evictDurableObject"));
  }

  /** The object's state, constructing the object (Miniflare 2's getMiniflareDurableObjectState). */
  async getDurableObjectState(id: IdOrStub): Promise<DurableObjectState> {
    return this.runInDurableObject(id, (_instance, state) => state);
  }

  /** The object's instance, constructing it (Miniflare 2's getMiniflareDurableObjectInstance). */
  async getDurableObjectInstance<O>(id: IdOrStub): Promise<O> {
    return this.runInDurableObject(id, (instance: O) => instance);
  }

  /** Runs `closure` under the gates of the object `state` belongs to (Miniflare 2's runWithMiniflareDurableObjectGates). */
  runWithGates<R>(state: DurableObjectState, closure: () => R | Promise<R>): Promise<R> {
    return this.runInDurableObject(state.id, () => closure());
  }

  /** Ids of a namespace by binding name (Miniflare 2's getMiniflareDurableObjectIds). */
  listDurableObjectIdsByBinding(bindingName: string): Promise<DurableObjectId[]> {
    const namespace = this.env[bindingName];
    if (!(namespace instanceof DurableObjectNamespace)) {
      throw new TypeError(`getMiniflareDurableObjectIds() expects a Durable Object binding name; "${bindingName}" is not one.`);
    }
    return this.listDurableObjectIds(namespace);
  }

  /** A KV namespace binding by name: its data, to read and write directly. */
  getKVNamespace(binding: string): KVNamespace {
    return this.durabox.kvNamespaceNow(binding);
  }

  /** The Cache API worker code sees as `caches`. */
  getCaches(): CacheStorage {
    return this.durabox.cachesNow;
  }

  /** Starts a scope (a describe block or a test): what happens in it is undone by exitScope. */
  enterScope(): void {
    this.#depth++;
    this.#durabox?.pushLayer();
  }

  /**
   * Ends the innermost scope: its storage writes are dropped (O(1)), every
   * live instance is evicted, and alarms are rescheduled to what storage now
   * says (so one set during the scope no longer fires).
   */
  async exitScope(): Promise<void> {
    if (this.#depth === 0) throw new Error("durabox: exitScope() without enterScope()");
    this.#depth--;
    const durabox = this.#durabox;
    if (durabox === undefined) return;
    const changed = durabox.popLayer();
    durabox.runtime.evictAll();
    await durabox.runtime.rescheduleAlarms(changed);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#durabox?.dispose();
  }
}
