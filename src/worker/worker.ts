import { loadWorkerModule } from "./evaluate.js";
import type { WorkerSource } from "./bundle.js";
import type { ExecutionContext, ModuleLoader } from "./contracts.js";
import type { Context } from "node:vm";
import { runInContext } from "../objects/context.js";
import { DuraboxError } from "../base/errors.js";
import type { DurableObjectClass } from "../objects/class-registry.js";
import type { CacheStorage } from "../bindings/cache/cache-storage.js";

/**
 * A worker whose code has been loaded: its exports and its env. Knows how to
 * find a Durable Object class among its exports and how to deliver a request
 * to its default export.
 */
export class LoadedWorker {
  constructor(
    readonly name: string,
    readonly exports: Readonly<Record<string, unknown>>,
    readonly env: object,
    private readonly trackBackground: (promise: Promise<unknown>) => void,
  ) {}

  static async load(
    name: string,
    source: WorkerSource,
    env: object,
    options: {
      nodejsCompat: boolean;
      trackBackground: (promise: Promise<unknown>) => void;
      moduleLoader?: ModuleLoader | undefined;
      vmContext?: Context | undefined;
      caches?: CacheStorage | undefined;
    },
  ): Promise<LoadedWorker> {
    const exports =
      source.kind === "path" && options.moduleLoader !== undefined
        ? await options.moduleLoader(source.path)
        : await loadWorkerModule(source, { nodejsCompat: options.nodejsCompat, vmContext: options.vmContext, caches: options.caches });
    return new LoadedWorker(name, exports, env, options.trackBackground);
  }

  /** The exported class `className`, or a clear error listing what is exported. */
  objectClass(className: string): DurableObjectClass {
    const exported = this.exports[className];
    const label = this.name === "" ? "The worker script" : `Worker "${this.name}"`;
    if (exported === undefined) {
      const names = Object.keys(this.exports).filter((key) => key !== "default" && key !== "__esModule");
      throw new DuraboxError(
        "ERR_CLASS_NOT_FOUND",
        `${label} does not export a class named "${className}". ` +
          (names.length > 0 ? `It exports: ${names.join(", ")}.` : "It has no named exports.") +
          ` Export the Durable Object class (export class ${className} { ... }) or fix the className in durableObjects.`,
      );
    }
    if (typeof exported !== "function" || exported.prototype === undefined) {
      throw new DuraboxError(
        "ERR_NOT_A_CLASS",
        `${label} exports "${className}", but it is ${exported === null ? "null" : `a ${typeof exported}`}, not a class. A Durable Object binding needs an exported class.`,
      );
    }
    return exported as DurableObjectClass;
  }

  /** Delivers a request to the default export's fetch handler. */
  async fetch(request: Request): Promise<Response> {
    const handler = this.#defaultHandler();
    const response: unknown = await runInContext({ depth: 0 }, () => handler(request));
    if (!(response instanceof Response)) {
      throw new DuraboxError(
        "ERR_RESPONSE_TYPE",
        `The worker's fetch() handler must return a Response, but it returned ${response === null ? "null" : typeof response}.`,
      );
    }
    return response;
  }

  #defaultHandler(): (request: Request) => unknown {
    const entry: unknown = this.exports.default;
    const ctx: ExecutionContext = {
      waitUntil: (promise) => this.trackBackground(Promise.resolve(promise)),
      passThroughOnException: () => {},
      props: {},
    };
    // `export default class extends WorkerEntrypoint { fetch() {} }`
    if (typeof entry === "function" && typeof (entry.prototype as { fetch?: unknown } | undefined)?.fetch === "function") {
      const Entrypoint = entry as unknown as new (ctx: ExecutionContext, env: object) => { fetch(r: Request): unknown };
      return (request) => new Entrypoint(ctx, this.env).fetch(request);
    }
    const handlers = entry as { fetch?: unknown } | undefined;
    if (handlers !== undefined && handlers !== null && typeof handlers.fetch === "function") {
      const fetch = handlers.fetch as (request: Request, env: object, ctx: ExecutionContext) => unknown;
      return (request) => fetch.call(entry, request, this.env, ctx);
    }
    throw new DuraboxError(
      "ERR_NO_HANDLER",
      `${this.name === "" ? "The worker" : `Worker "${this.name}"`} has no fetch handler: export default { async fetch(request, env, ctx) { ... } }.`,
    );
  }
}
