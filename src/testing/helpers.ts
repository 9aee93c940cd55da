// Every value this module exports is a test helper: durabox/testing
// re-exports the module, and the environments install each export as a
// global (globals.ts). Adding a helper is exporting it here, then naming it
// in both environments' globals.d.ts and the README (a test checks them).
import { currentTestRuntime } from "./registry.js";
import type { DurableObjectId } from "../objects/id.js";
import type { DurableObjectNamespace } from "../objects/namespace.js";
import type { DurableObjectState } from "../objects/state.js";
import type { ObjectStorage } from "../objects/object-storage.js";
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

/**
 * Keys that test runners and libraries probe on any value they meet
 * (`_isMockFunction`, `then`, `asymmetricMatch`, ...): answering them must
 * not create the runtime, or a file that never uses `env` would pay for it.
 */
function isProbe(key: string | symbol): boolean {
  return (
    typeof key === "symbol" ||
    key.startsWith("_") ||
    key.startsWith("$$") ||
    key.startsWith("@@") ||
    key === "then" ||
    key === "toJSON" ||
    key === "asymmetricMatch" ||
    key === "nodeType" ||
    key === "constructor"
  );
}

/** The runtime's env once it exists, without creating it. */
function envIfCreated(): Record<string, unknown> | undefined {
  return currentTestRuntime().envIfCreated;
}

/** `env`: the test file's bindings, created on first use of a binding. */
export const env: ProvidedEnv = new Proxy({} as ProvidedEnv, {
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

export function getBindings<Env = ProvidedEnv>(): Env {
  return currentTestRuntime().getBindings<Env>();
}

/** The object's storage, without constructing the object. */
export function getDurableObjectStorage(idOrStub: IdOrStub): ObjectStorage {
  return currentTestRuntime().getDurableObjectStorage(idOrStub);
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

/** Drops the object's live instance; the next call constructs it again. Returns whether one was live. */
export function evictDurableObject(stub: IdOrStub): boolean {
  return currentTestRuntime().evictDurableObject(stub);
}

/** A KV namespace binding by name, to read and write its data directly (Miniflare 3's name; await it or not). */
export function getKVNamespace(binding: string): KVNamespace {
  return currentTestRuntime().getKVNamespace(binding);
}

/** The Cache API worker code sees as `caches`, to read and write cached responses directly (Miniflare 3's name). */
export function getCaches(): CacheStorage {
  return currentTestRuntime().getCaches();
}

// Miniflare 2's names, with Miniflare 2's arguments and results.

export function getMiniflareBindings<Bindings = ProvidedEnv>(): Bindings {
  return currentTestRuntime().getBindings<Bindings>();
}

export async function getMiniflareDurableObjectStorage(id: DurableObjectIdLike): Promise<ObjectStorage> {
  return currentTestRuntime().getDurableObjectStorage(id);
}

export function getMiniflareDurableObjectState(id: DurableObjectIdLike): Promise<DurableObjectState> {
  return currentTestRuntime().getDurableObjectState(id);
}

export function getMiniflareDurableObjectInstance<O = unknown>(id: DurableObjectIdLike): Promise<O> {
  return currentTestRuntime().getDurableObjectInstance<O>(id);
}

export function runWithMiniflareDurableObjectGates<R>(
  state: { readonly id: DurableObjectIdLike },
  closure: () => R | Promise<R>,
): Promise<R> {
  return currentTestRuntime().runWithGates(state as DurableObjectState, closure);
}

export function flushMiniflareDurableObjectAlarms(ids?: DurableObjectIdLike[]): Promise<void> {
  return currentTestRuntime().flushDurableObjectAlarms(ids);
}

export function getMiniflareDurableObjectIds(namespace: string): Promise<DurableObjectId[]> {
  return currentTestRuntime().listDurableObjectIdsByBinding(namespace);
}
