import { sharedAsyncLocalStorage } from "../base/shared-state.js";
import { DurableObject, RpcTarget, WorkerEntrypoint, WorkflowEntrypoint } from "../rpc/classes.js";
import { RpcStub } from "../rpc/rpc-stub.js";

/** Where a `cloudflare:workers` module reads its worker's env and exports, and hands `waitUntil` work. */
export interface WorkersModuleSource {
  /** The worker's bindings, read on every access (so they are live). */
  env(): object;
  /** The worker's own exports as bindings: `exports.default.fetch(...)`, Durable Object namespaces. */
  exports(): object;
  waitUntil(promise: Promise<unknown>): void;
}

/** The `cloudflare:workers` module: the classes, and `env`, `exports`, `waitUntil`, `withEnv`. */
export interface WorkersModule {
  readonly DurableObject: typeof DurableObject;
  readonly WorkerEntrypoint: typeof WorkerEntrypoint;
  readonly WorkflowEntrypoint: typeof WorkflowEntrypoint;
  readonly RpcTarget: typeof RpcTarget;
  readonly RpcStub: typeof RpcStub;
  readonly env: Record<string, unknown>;
  readonly exports: Record<string, unknown>;
  waitUntil(promise: Promise<unknown>): void;
  withEnv<R>(newEnv: unknown, fn: () => R): R;
}

/**
 * `withEnv` overrides for the rest of the callback's async context, per
 * process: worker code and test code may hold different copies of this
 * module (bundled, or loaded by the test runner), and both must see one override.
 */
const overrides = sharedAsyncLocalStorage<{ readonly env: object }>("withEnv");

/** A live view of `target()`: every access reads the current value. */
function live(target: () => object): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get: (_object, key) => Reflect.get(target(), key),
    has: (_object, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_object, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

/** Runs `fn` with `env` (from every copy of `cloudflare:workers`) reading `newEnv`, as Workers' `withEnv` does. */
export function withEnv<R>(newEnv: unknown, fn: () => R): R {
  if (typeof newEnv !== "object" || newEnv === null) throw new TypeError("withEnv() expects an object as the new env.");
  if (typeof fn !== "function") throw new TypeError("withEnv() expects a function to run with the new env.");
  return overrides.run({ env: newEnv }, fn);
}

export function workersModule(source: WorkersModuleSource): WorkersModule {
  return {
    DurableObject,
    WorkerEntrypoint,
    WorkflowEntrypoint,
    RpcTarget,
    RpcStub,
    env: live(() => overrides.getStore()?.env ?? source.env()),
    exports: live(() => source.exports()),
    waitUntil: (promise) => source.waitUntil(Promise.resolve(promise)),
    withEnv,
  };
}
