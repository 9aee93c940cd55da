import { AsyncLocalStorage } from "node:async_hooks";
import { runInThisContext } from "node:vm";

/**
 * State that must not be per copy of durabox. Jest evaluates durabox once per
 * test file (inside the file's vm context) in a long-lived worker, and a test
 * runner may load a second copy for the test's own imports; module-level
 * state would then be per file, or per copy. Two scopes exist:
 *
 * - per process (`processShared`): kept on Node's AsyncLocalStorage class,
 *   an object every copy in every realm gets from Node itself;
 * - per realm (`realmShared`): kept on the realm's global object, so every
 *   copy evaluated in one test file's context sees the same value.
 *
 * Both key by a registered symbol, `Symbol.for("durabox.<name>")`.
 *
 * A per-process value must hold nothing made in a test file's realm: an
 * object of that realm (a Map, a record) keeps the realm, the file's whole vm
 * context, alive for as long as the worker. `processSharedMap` and
 * `processRecord` make their objects in Node's own realm.
 */
export function processShared<T>(name: string, make: () => T): T {
  const holder = AsyncLocalStorage as unknown as Record<symbol, T | undefined>;
  return (holder[Symbol.for(`durabox.${name}`)] ??= make());
}

/** A value shared by every copy of durabox in one realm (on `global`, this realm's global by default). */
export function realmShared<T>(name: string, make: () => T, global: object = globalThis): T {
  const holder = global as Record<symbol, T | undefined>;
  return (holder[Symbol.for(`durabox.${name}`)] ??= make());
}

/** Replaces (or, with undefined, clears) a realm-shared value. */
export function setRealmShared<T>(name: string, value: T | undefined, global: object = globalThis): void {
  (global as Record<symbol, T | undefined>)[Symbol.for(`durabox.${name}`)] = value;
}

/** Reads a realm-shared value without making one. */
export function peekRealmShared<T>(name: string, global: object = globalThis): T | undefined {
  return (global as Record<symbol, T | undefined>)[Symbol.for(`durabox.${name}`)];
}

/**
 * One AsyncLocalStorage per name and process: every enabled instance costs
 * something on every promise, so copies of durabox must not each make one.
 */
export function sharedAsyncLocalStorage<T>(name: string): AsyncLocalStorage<T> {
  return processShared(name, () => new AsyncLocalStorage<T>());
}

interface MainRealm {
  readonly Map: MapConstructor;
  readonly Object: ObjectConstructor;
  readonly WeakSet: WeakSetConstructor;
}

/** Node's own realm's Map and Object, whichever realm this copy of durabox was evaluated in. */
function mainRealm(): MainRealm {
  // vm.runInThisContext runs in Node's main context even when called from another.
  return processShared("mainRealm", () => runInThisContext("({ Map, Object, WeakSet })") as MainRealm);
}

/** A Map per process, made in Node's own realm: keep primitives or `processRecord`s in it. */
export function processSharedMap<K, V>(name: string): Map<K, V> {
  return processShared(name, () => new (mainRealm().Map)<K, V>());
}

/** A WeakSet per process, made in Node's own realm: a test realm's WeakSet kept per process would keep that realm alive. */
export function processSharedWeakSet<T extends object>(name: string): WeakSet<T> {
  return processShared(name, () => new (mainRealm().WeakSet)<T>());
}

/**
 * Wraps a getter of an object every realm shares (undici's Request.prototype)
 * so each value it returns is added to `set`, the wrapper made in Node's own
 * realm: a closure of a test realm there would keep that realm alive.
 */
export function processMarkingGetter(get: () => unknown, set: WeakSet<object>): () => unknown {
  const make = processShared(
    "markingGetter",
    () =>
      runInThisContext(
        '(get, set) => function () { const value = get.call(this); if (value !== null && typeof value === "object") set.add(value); return value; }',
      ) as (get: () => unknown, set: WeakSet<object>) => () => unknown,
  );
  return make(get, set);
}

/** A frozen shallow copy of `record`, made in Node's own realm (its values must be primitives or of that realm too). */
export function processRecord<T extends object>(record: T): Readonly<T> {
  const { Object: MainObject } = mainRealm();
  return MainObject.freeze(MainObject.assign(MainObject.create(null) as T, record));
}

/** A copy of `map`, made in Node's own realm (its keys and values must be primitives or of that realm too). */
export function processMap<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<K, V> {
  return new (mainRealm().Map)<K, V>(map);
}

/** A getter answering null, made in Node's own realm: for a property defined on an object every realm shares (undici's Response.prototype), where a closure of a test realm would keep that realm alive. */
export function processNullGetter(): () => null {
  return processShared("nullGetter", () => runInThisContext("(function get() { return null; })") as () => null);
}
