import { Durabox } from "../durabox.js";
import type { R2Bucket } from "../bindings/r2/bucket.js";
import type { DuraboxHost } from "../durabox-host.js";
import { DuraboxError } from "../base/errors.js";
import { internal } from "../base/internal.js";
import { DurableObjectId } from "../objects/id.js";
import { DurableObjectNamespace } from "../objects/namespace.js";
import { DurableObjectStub } from "../objects/stub.js";
import { findWranglerConfig } from "../config/wrangler.js";
import type { DuraboxOptions, Isolation, TestRuntimeOptions } from "../options.js";
import { testOptions } from "../options/declared.js";
import { checkValues } from "../options/check.js";
import { TEST_OPTION_NAMES, WORKER_OPTION_NAMES } from "../options/names.js";
import { checkOptionKeys } from "../options/unknown.js";
import type { DurableObjectState } from "../objects/state.js";
import type { ObjectStorage } from "../objects/object-storage.js";
import { IsolationPolicy } from "./isolation-policy.js";
import { fromCloudflareTestOptions } from "../options/cloudflare-test.js";
import { FetchMock } from "./fetch-mock.js";
import { IsolationScopes } from "../base/isolation-scopes.js";
import { testFileStarting } from "./file-starts.js";
import type { EvictOptions } from "../objects/eviction.js";
import { ABORT_ALL_MESSAGE, abortError, isResetError, resetSeenByAlarmCaller } from "../objects/abort.js";
import { findCore, type WebSocket } from "../objects/websockets/websocket.js";
import type { KVNamespace } from "../bindings/kv/namespace.js";
import { applyD1Migrations, readD1Migrations } from "../bindings/d1/migrations.js";
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
  #fetchMock: FetchMock | undefined;
  /** The file's isolated states (its runtime, its fetch mock) and the scopes entered so far (describe blocks, tests). */
  readonly #scopes = new IsolationScopes();
  #disposed = false;

  constructor(options: TestRuntimeOptions = {}, host: DuraboxHost = {}) {
    // The test-only options are checked here; the rest when the runtime is created.
    checkOptionKeys(options, TEST_OPTION_NAMES);
    checkValues(options as Record<string, unknown>, testOptions);
    // cloudflareTest()'s shape (and the pool's isolatedStorage) read as durabox's options first.
    const {
      isolation = testOptions.isolation.default,
      durableObjectsPersistWrites = testOptions.durableObjectsPersistWrites.default,
      ...runtimeOptions
    } = fromCloudflareTestOptions(options);
    this.isolation = isolation;
    this.#keepWrites = durableObjectsPersistWrites;
    this.#host = host;
    const translated: DuraboxOptions = runtimeOptions;
    // The project's wrangler file is read whenever there is one (as Miniflare 2 and Cloudflare's
    // integration do), under the options given: they win key by key. `wranglerConfigPath: false`
    // opts out; `workers` alone (no entry worker options) describes every worker itself.
    const onlyWorkers = translated.workers !== undefined && WORKER_OPTION_NAMES.every((key) => translated[key] === undefined);
    if (translated.wranglerConfigPath === undefined && !onlyWorkers && findWranglerConfig(host.cwd ?? process.cwd()) !== undefined) {
      translated.wranglerConfigPath = true;
    }
    this.#options = translated;
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
    if (this.#scopes.depth !== 0) throw internal("startFile() inside a scope");
    // After the realm's first file, every module handing out `env` gives this one its own.
    testFileStarting();
    const fetchMock = this.#fetchMock;
    this.#fetchMock = undefined;
    if (fetchMock !== undefined) {
      this.#scopes.leave(fetchMock);
      await fetchMock.dispose();
    }
    const previous = this.#durabox;
    if (previous === undefined) return;
    this.#durabox = undefined;
    this.#scopes.leave(previous.internals);
    await previous.dispose();
  }

  /** Whether the runtime has been created (a file that never used it has not). */
  get created(): boolean {
    return this.#durabox !== undefined;
  }

  /** The env if the runtime exists and is not disposed; never creates it. */
  get envIfCreated(): Record<string, unknown> | undefined {
    return this.#durabox !== undefined && !this.#disposed ? this.#durabox.internals.env() : undefined;
  }

  get durabox(): Durabox {
    if (this.#disposed) throw new DuraboxError("ERR_DISPOSED", "This test file's Durable Objects runtime has been disposed.");
    if (this.#durabox === undefined) {
      const durabox = new Durabox(this.#options, this.#host);
      // A base layer: persisted data is read, never changed, unless the user asked to keep test writes.
      if (!this.#keepWrites) durabox.internals.pushLayer();
      this.#scopes.join(durabox.internals);
      this.#durabox = durabox;
    }
    return this.#durabox;
  }

  /** The entry worker's env: Durable Object namespaces and bindings. */
  get env(): Record<string, unknown> {
    return this.durabox.internals.env();
  }

  getBindings<Env = Record<string, unknown>>(): Env {
    return this.env as Env;
  }

  /** An R2 bucket binding of the entry worker (or the first worker declaring it), to read and write its objects directly. */
  getR2Bucket(binding: string): R2Bucket {
    return this.durabox.internals.binding("r2", binding);
  }

  /** The object's storage, without constructing the object. */
  getDurableObjectStorage(idOrStub: IdOrStub): ObjectStorage {
    return this.durabox.internals.objects.storage(idOf(idOrStub, "getDurableObjectStorage"));
  }

  /** Runs `callback` inside the object (constructing it), under its gates. */
  runInDurableObject<O, R>(stub: IdOrStub, callback: (instance: O, state: DurableObjectState) => R | Promise<R>): Promise<R> {
    return this.#inside(idOf(stub, "runInDurableObject"), callback);
  }

  /** Runs the object's scheduled alarm now; resolves whether there was one. */
  runDurableObjectAlarm(stub: IdOrStub): Promise<boolean> {
    return this.durabox.internals.objects.runAlarm(idOf(stub, "runDurableObjectAlarm")).catch((error: unknown) => {
      throw isResetError(error) ? resetSeenByAlarmCaller(error) : error;
    });
  }

  /** Runs every scheduled alarm (or those of `ids`) now. */
  flushDurableObjectAlarms(ids?: readonly IdOrStub[]): Promise<void> {
    return this.durabox.internals.objects.flushAlarms(ids?.map((id) => idOf(id, "flushDurableObjectAlarms")));
  }

  /** Ids in the namespace that hold data or an alarm, or have a live instance. */
  listDurableObjectIds(namespace: DurableObjectNamespace): Promise<DurableObjectId[]> {
    if (!(namespace instanceof DurableObjectNamespace)) {
      throw new TypeError("listDurableObjectIds() expects a Durable Object namespace binding, such as env.COUNTER.");
    }
    return this.durabox.internals.objects.listIds(DurableObjectNamespace.identityOf(namespace));
  }

  /** Drops the object's live instance: the next call constructs it again. */
  evictDurableObject(stub: IdOrStub, options?: EvictOptions): boolean {
    return this.durabox.internals.objects.evict(idOf(stub, "evictDurableObject"), checkEvictOptions(options, "evictDurableObject"));
  }

  /** Drops every live instance; storage stays (cloudflare:test's evictAllDurableObjects). */
  evictAllDurableObjects(options?: EvictOptions): void {
    this.durabox.internals.objects.evictAll(checkEvictOptions(options, "evictAllDurableObjects"));
  }

  /** Resets every live instance at once; storage stays (cloudflare:test's abortAllDurableObjects). */
  abortAllDurableObjects(): void {
    this.durabox.internals.objects.abortAll(abortError(ABORT_ALL_MESSAGE), { breakStubs: true });
  }

  /**
   * cloudflare:test's reset(): every object's storage (key-value, SQL, alarm) and every binding's
   * data deleted, every instance reset. Under per-test isolation the scope's rollback still
   * applies: what the test's describe blocks set up is back for the next test.
   */
  async reset(): Promise<void> {
    await this.durabox.internals.deleteAll();
  }

  /** readD1Migrations, on this side of the test helpers (they stay small). */
  readonly readD1Migrations = readD1Migrations;
  /** applyD1Migrations, likewise. */
  readonly applyD1Migrations = applyD1Migrations;

  /** The entry worker's exports as bindings (`exports` of cloudflare:workers; `SELF` is its default). */
  workerExports(): Record<string, unknown> {
    return this.durabox.workerExports() as Record<string, unknown>;
  }

  /** The file's outbound fetch mock (undici's MockAgent), made and installed on first use. */
  get fetchMock(): FetchMock {
    if (this.#disposed) throw new DuraboxError("ERR_DISPOSED", "This test file's Durable Objects runtime has been disposed.");
    return (this.#fetchMock ??= this.#scopes.join(new FetchMock()));
  }

  /**
   * Sends a WebSocket upgrade request (`Upgrade: websocket`) to the object's
   * fetch() at `path` and returns the client end of the socket it answers
   * with, accepted: ready to send and to receive events.
   */
  async connectWebSocket(stub: IdOrStub, path = "/"): Promise<WebSocket> {
    if (!(stub instanceof DurableObjectStub)) {
      idOf(stub, "connectWebSocket");
      throw new TypeError("connectWebSocket() expects a Durable Object stub, from env.NAMESPACE.get(id), not an id.");
    }
    if (typeof path !== "string") throw new TypeError(`connectWebSocket() expects a path such as "/room", but got ${typeof path}.`);
    const url = /^https?:\/\//.test(path) ? path : `http://localhost${path.startsWith("/") ? "" : "/"}${path}`;
    const response = await stub.fetch(url, { headers: { Upgrade: "websocket" } });
    const webSocket = (response as { webSocket?: unknown }).webSocket;
    const core = findCore(webSocket);
    if (response.status !== 101 || core === undefined) {
      const body = await response.text().catch(() => "");
      throw new DuraboxError(
        "ERR_WEBSOCKET_UPGRADE",
        `connectWebSocket(): the object answered ${url} with status ${response.status}${body === "" ? "" : ` (${JSON.stringify(body.slice(0, 200))})`}, ` +
          "not a 101 response carrying a webSocket. Its fetch() should return new Response(null, { status: 101, webSocket: client }).",
      );
    }
    core.accept(undefined);
    return webSocket as WebSocket;
  }

  /**
   * An id as Miniflare 2's helpers took one (`helper` names the helper in
   * errors): an id or stub, or a string, as Miniflare 2 accepted: an id's 64
   * hex digits (of whichever binding it belongs to), or a name, of the one
   * Durable Object binding the worker has.
   */
  miniflareId(id: IdOrStub | string, helper: string): DurableObjectId {
    if (typeof id !== "string") return idOf(id, helper);
    const namespaces = Object.entries(this.env).filter(
      (entry): entry is [string, DurableObjectNamespace] => entry[1] instanceof DurableObjectNamespace,
    );
    const bindings = namespaces.map(([binding]) => binding).join(", ");
    if (/^[0-9a-f]{64}$/i.test(id)) {
      for (const [, namespace] of namespaces) {
        try {
          return namespace.idFromString(id);
        } catch {
          // Another binding's id: try the next.
        }
      }
      throw new TypeError(`${helper}("${id}"): that is not an id of any Durable Object binding of this worker (${bindings || "none"}).`);
    }
    if (namespaces.length === 1) return namespaces[0]![1].idFromName(id);
    const example = namespaces[0]?.[0] ?? "NAMESPACE";
    throw new TypeError(
      `${helper}("${id}"): a name picks an object only when the worker has one Durable Object binding, and it has ` +
        `${namespaces.length === 0 ? "none" : `${namespaces.length} (${bindings})`}. Pass an id instead, such as env.${example}.idFromName("${id}").`,
    );
  }

  /** The object's storage, without constructing it (Miniflare 2's getMiniflareDurableObjectStorage). */
  getMiniflareStorage(id: IdOrStub | string): ObjectStorage {
    return this.durabox.internals.objects.storage(this.miniflareId(id, "getMiniflareDurableObjectStorage"));
  }

  /** The object's state, constructing the object (Miniflare 2's getMiniflareDurableObjectState). */
  async getDurableObjectState(id: IdOrStub | string): Promise<DurableObjectState> {
    return this.#inside(this.miniflareId(id, "getMiniflareDurableObjectState"), (_instance, state) => state);
  }

  /** The object's instance, constructing it (Miniflare 2's getMiniflareDurableObjectInstance). */
  async getDurableObjectInstance<O>(id: IdOrStub | string): Promise<O> {
    return this.#inside(this.miniflareId(id, "getMiniflareDurableObjectInstance"), (instance: O) => instance);
  }

  /** Runs `closure` under the gates of the object `state` belongs to (Miniflare 2's runWithMiniflareDurableObjectGates). */
  runWithGates<R>(state: DurableObjectState, closure: () => R | Promise<R>): Promise<R> {
    const id = (state as { id?: unknown } | null)?.id;
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError(
        "runWithMiniflareDurableObjectGates() expects the state from getMiniflareDurableObjectState(id) as its first argument.",
      );
    }
    return this.#inside(id, () => closure());
  }

  /** Runs the scheduled alarms of `ids` (all when omitted) now (Miniflare 2's flushMiniflareDurableObjectAlarms). */
  flushMiniflareAlarms(ids?: readonly (IdOrStub | string)[]): Promise<void> {
    return this.durabox.internals.objects.flushAlarms(ids?.map((id) => this.miniflareId(id, "flushMiniflareDurableObjectAlarms")));
  }

  #inside<O, R>(id: DurableObjectId, callback: (instance: O, state: DurableObjectState) => R | Promise<R>): Promise<R> {
    const instance = this.durabox.internals.objects.instance(id);
    return instance.deliver(1, (object) => callback(object as O, instance.state));
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
    return this.durabox.internals.binding("kv", binding);
  }

  /** The Cache API worker code sees as `caches`. */
  getCaches(): CacheStorage {
    return this.durabox.internals.caches;
  }

  /** Starts a scope (a describe block or a test): what happens in it is undone by exitScope. */
  enterScope(): void {
    this.#scopes.pushLayer();
  }

  /**
   * Ends the innermost scope: the fetch mock's interceptors and the runtime's
   * storage go back to what they were at its start, its WebSockets close,
   * live instances are evicted and alarms rescheduled (DuraboxRuntime.popLayer).
   */
  async exitScope(): Promise<void> {
    if (this.#scopes.depth === 0) throw internal("exitScope() without enterScope()");
    // Production cancels a request's unfinished work when it ends: a call the test did not await is
    // canceled, and its failure must not end the runner's process as an unhandled rejection.
    const canceled = this.#durabox?.internals.objects.cancelCalls(canceledCalls) ?? [];
    if (canceled.length > 0) process.stderr.write(`durabox: ${canceledCalls(canceled).message}\n`);
    await this.#scopes.popLayer();
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#fetchMock?.dispose();
    await this.#durabox?.dispose();
  }
}

function canceledCalls(calls: readonly string[]): DuraboxError {
  const list = calls.join(", ");
  return new DuraboxError(
    "ERR_ABORTED",
    `The test ended while ${list} ${calls.length === 1 ? "was" : "were"} still running in a Durable Object, so durabox canceled ${calls.length === 1 ? "it" : "them"}, ` +
      "as production cancels a request's unfinished work when the request ends. Await the call in the test (or pass its " +
      "promise to ctx.waitUntil() and waitOnExecutionContext()) to see its result.",
  );
}

/** Checks evictDurableObject's and evictAllDurableObjects' options as production's types allow them. */
function checkEvictOptions(options: EvictOptions | undefined, helper: string): EvictOptions {
  if (options === undefined) return {};
  const webSockets: unknown = (options as { webSockets?: unknown } | null)?.webSockets;
  if (
    typeof options !== "object" ||
    options === null ||
    (webSockets !== undefined && webSockets !== "close" && webSockets !== "hibernate")
  ) {
    throw new TypeError(`${helper}() options must be { webSockets?: "close" | "hibernate" }, got ${JSON.stringify(options)}.`);
  }
  return options;
}
