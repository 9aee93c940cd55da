// Every value this module exports is a test helper: durabox/testing
// re-exports the module, and the environments install each export as a
// global (globals.ts). Adding a helper is exporting it here, then naming it
// in both environments' globals.d.ts and docs/testing.md (a test checks them).
import { currentTestRuntime } from "./registry.js";
import { onTestFileStart } from "./file-starts.js";
import { isProbe } from "./probes.js";
import type { DurableObjectId } from "../objects/id.js";
import type { DurableObjectNamespace } from "../objects/namespace.js";
import type { DurableObjectState } from "../objects/state.js";
import type { ObjectStorage } from "../objects/object-storage.js";
import type { D1Database } from "../bindings/d1/database.js";
import type { D1DatabaseLike, D1Migration } from "../bindings/d1/migrations.js";
import type { R2Bucket } from "../bindings/r2/bucket.js";
import type { KVNamespace } from "../bindings/kv/namespace.js";
import type { CacheStorage } from "../bindings/cache/cache-storage.js";

/**
 * The bindings tests see as `env`. Augment it with your worker's Env to type
 * `env` (the file `durabox types` writes declares a global `Env`):
 *
 *   declare module "durabox/testing" { interface ProvidedEnv extends Env {} }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProvidedEnv {}

/**
 * Ids, stubs and namespaces as user code has them: typed by
 * @cloudflare/workers-types (from a typed `env`) or by durabox. The helpers
 * check at run time that they are durabox's.
 */
export interface DurableObjectIdLike {
  toString(): string;
  readonly name?: string | undefined;
}
export interface DurableObjectStubLike {
  readonly id: DurableObjectIdLike;
}
export interface DurableObjectNamespaceLike {
  idFromName(name: string): DurableObjectIdLike;
}
type IdOrStub = DurableObjectIdLike | DurableObjectStubLike;

/** The runtime's env once it exists, without creating it. */
function envIfCreated(): Record<string, unknown> | undefined {
  return currentTestRuntime().envIfCreated;
}

/** A view of the current file's bindings, the runtime created on first use of one. */
function envView(): ProvidedEnv {
  return new Proxy({} as ProvidedEnv, {
    get: (_target, key) => {
      if (isProbe(key)) {
        const created = envIfCreated();
        return created === undefined ? undefined : Reflect.get(created, key);
      }
      return Reflect.get(currentTestRuntime().env, key);
    },
    has: (_target, key) => (isProbe(key) ? Reflect.has(envIfCreated() ?? {}, key) : Reflect.has(currentTestRuntime().env, key)),
    ownKeys: () => Reflect.ownKeys(envIfCreated() ?? {}),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(envIfCreated() ?? {}, key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

/**
 * `env`: the test file's bindings, created on first use of a binding. A new
 * object for each file (an ES module binding, so importers see the new one)
 * when a runner runs several files in one realm.
 */
export let env: ProvidedEnv = envView();
onTestFileStart(() => {
  env = envView();
});

export function getBindings<Env = ProvidedEnv>(): Env {
  return currentTestRuntime().getBindings<Env>();
}

/** The object's storage, without constructing the object. */
export function getDurableObjectStorage(idOrStub: IdOrStub): ObjectStorage {
  return currentTestRuntime().getDurableObjectStorage(idOrStub);
}

/** An R2 bucket binding, to read and write its objects directly (writes roll back with the test, as the worker's do). */
export function getR2Bucket(binding: string): R2Bucket {
  return currentTestRuntime().getR2Bucket(binding);
}

/**
 * What a runInDurableObject callback may declare its `state` as: durabox's
 * DurableObjectState (the default), or @cloudflare/workers-types' global
 * `DurableObjectState`, as tests written for Cloudflare's test API annotate
 * it (durabox's class has no WebSocket members yet, so it is not assignable
 * to that type, and the annotation would otherwise not compile).
 */
export interface DurableObjectStateLike {
  readonly id: DurableObjectIdLike;
  readonly storage: object;
}

/** Runs `callback` inside the object (constructing it), under its input and output gates. */
export function runInDurableObject<O, R, S extends DurableObjectStateLike = DurableObjectState>(
  stub: IdOrStub,
  callback: (instance: O, state: S) => R | Promise<R>,
): Promise<R> {
  return currentTestRuntime().runInDurableObject(stub, callback as unknown as (instance: O, state: DurableObjectState) => R | Promise<R>);
}

/** Runs the object's scheduled alarm now; resolves whether there was one to run. */
export function runDurableObjectAlarm(stub: IdOrStub): Promise<boolean> {
  return currentTestRuntime().runDurableObjectAlarm(stub);
}

/** Runs every scheduled alarm, or those of `ids`, now. */
export function flushDurableObjectAlarms(ids?: readonly IdOrStub[]): Promise<void> {
  return currentTestRuntime().flushDurableObjectAlarms(ids);
}

/** Ids in the namespace that hold data or an alarm, or have a live instance. */
export function listDurableObjectIds(namespace: DurableObjectNamespaceLike): Promise<DurableObjectId[]> {
  return currentTestRuntime().listDurableObjectIds(namespace as DurableObjectNamespace);
}

/**
 * Drops the object's live instance; the next call constructs it again.
 * Returns whether one was live. Its WebSockets accepted with
 * `ctx.acceptWebSocket()` hibernate (`webSockets: "hibernate"`, the
 * default: the next message constructs the object again) or are dropped
 * (`"close"`: the client sees 1006, `webSocketClose` is not called).
 */
export function evictDurableObject(stub: IdOrStub, options?: { webSockets?: "hibernate" | "close" }): boolean {
  return currentTestRuntime().evictDurableObject(stub, options);
}

/**
 * Connects a test-side WebSocket to the object in one line: sends an
 * `Upgrade: websocket` request to its fetch() at `path` (default "/") and
 * returns the client end of the 101 response, accepted. The socket closes
 * (code 1001) when the test ends.
 */
export function connectWebSocket(stub: DurableObjectStubLike, path?: string): Promise<TestWebSocket> {
  return currentTestRuntime().connectWebSocket(stub, path) as unknown as Promise<TestWebSocket>;
}

/** The events a Workers WebSocket dispatches, by type. */
export interface WebSocketEvents {
  message: Event & { readonly data: string | ArrayBuffer };
  close: Event & { readonly code: number; readonly reason: string; readonly wasClean: boolean };
  error: Event & { readonly message: string; readonly error: unknown };
  open: Event;
}

/** A Workers WebSocket as connectWebSocket() returns it (the client end, accepted). */
export interface TestWebSocket {
  readonly readyState: number;
  accept(): void;
  send(message: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener<K extends keyof WebSocketEvents>(
    type: K,
    listener: (event: WebSocketEvents[K]) => void,
    options?: boolean | { once?: boolean },
  ): void;
  removeEventListener<K extends keyof WebSocketEvents>(type: K, listener: (event: WebSocketEvents[K]) => void): void;
  serializeAttachment(value: unknown): void;
  deserializeAttachment(): unknown;
}

/** A D1 database binding of the entry worker (else the first worker declaring it), to read and write its data directly. */
export function getD1Database(binding: string): D1Database {
  return currentTestRuntime().durabox.internals.binding("d1", binding);
}

// The two D1 helpers run on the test runtime's side, so the SQL splitter stays out of this per-file module.

/** Reads a wrangler `migrations_dir`: its `*.sql` files, sorted, each as `{ name, queries }`. */
export function readD1Migrations(migrationsDir: string): Promise<D1Migration[]> {
  return currentTestRuntime().readD1Migrations(migrationsDir);
}

/** Applies the migrations not yet recorded in the `d1_migrations` table (as wrangler does); idempotent. */
export function applyD1Migrations(db: D1DatabaseLike, migrations: readonly D1Migration[], migrationsTableName?: string): Promise<void> {
  return currentTestRuntime().applyD1Migrations(db, migrations, migrationsTableName);
}

/** A KV namespace binding by name, to read and write its data directly (Miniflare 3's name; await it or not). */
export function getKVNamespace(binding: string): KVNamespace {
  return currentTestRuntime().getKVNamespace(binding);
}

/** The Cache API worker code sees as `caches`, to read and write cached responses directly (Miniflare 3's name). */
export function getCaches(): CacheStorage {
  return currentTestRuntime().getCaches();
}
