import { exportKind } from "./entrypoints.js";
import type { LoadedWorker } from "./worker.js";

/** What the exports object needs from the runtime. */
export interface ExportsHost {
  /** The worker, once its code has loaded. */
  loaded(): LoadedWorker | undefined;
  /** The Durable Object classes the configuration names for this worker (known before its code loads). */
  configuredClasses(): readonly string[];
  /** A loopback service binding to an entrypoint (undefined: the default export). */
  serviceBinding(entrypoint: string | undefined): object;
  /** The namespace of one of the worker's Durable Object classes. */
  namespace(className: string): object;
}

/**
 * A worker's exports as loopback bindings (production's `ctx.exports`, and
 * `exports` of cloudflare:workers in tests): `default` and each named
 * WorkerEntrypoint (or object of handlers) as a service binding, each Durable
 * Object class as its namespace, bound or not. Before the code has loaded it
 * answers for the configured classes and, for any other name, with a binding
 * that finds its entrypoint when first used.
 */
export function workerExports(host: ExportsHost): object {
  const made = new Map<string, object>();
  const member = (key: string): object | undefined => {
    const known = made.get(key);
    if (known !== undefined) return known;
    let value: object | undefined;
    const worker = host.loaded();
    if (host.configuredClasses().includes(key)) value = host.namespace(key);
    else if (worker === undefined) value = host.serviceBinding(key === "default" ? undefined : key);
    else {
      const kind = exportKind(worker.exports[key]);
      if (kind === "durable-object") value = host.namespace(key);
      else if (kind === "entrypoint-class" || kind === "handlers") value = host.serviceBinding(key === "default" ? undefined : key);
    }
    if (value !== undefined) made.set(key, value);
    return value;
  };
  const keys = (): string[] => {
    const worker = host.loaded();
    const names = new Set(host.configuredClasses());
    // Before the code has loaded, `default` answers (as get() does) with a binding that finds its entrypoint when used.
    if (worker === undefined) names.add("default");
    else for (const key of Object.keys(worker.exports)) if (exportKind(worker.exports[key]) !== "other") names.add(key);
    return [...names];
  };
  return new Proxy(Object.create(null) as object, {
    get: (_target, key) => (typeof key === "string" ? member(key) : undefined),
    has: (_target, key) => typeof key === "string" && member(key) !== undefined,
    ownKeys: () => keys(),
    getOwnPropertyDescriptor: (_target, key) => {
      const value = typeof key === "string" && keys().includes(key) ? member(key) : undefined;
      return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
    },
  });
}
