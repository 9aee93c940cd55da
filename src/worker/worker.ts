import { needPlatformGlobals } from "../base/platform-globals.js";
import { loadWorkerModule } from "./evaluate.js";
import type { Compatibility } from "./nodejs-compat.js";
import type { WorkerSource } from "./bundle.js";
import type { ExecutionContext, ModuleLoader } from "./contracts.js";
import type { Context } from "node:vm";
import { runInContext } from "../objects/context.js";
import { directHost } from "../rpc/context.js";
import { WorkflowEntrypoint } from "../rpc/classes.js";
import { exportKind, handlersReceiver } from "./entrypoints.js";
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
    /** `ctx.exports`, when the worker's compatibility settings turn it on. */
    private readonly ctxExports: () => object | undefined = () => undefined,
  ) {}

  static async load(
    name: string,
    source: WorkerSource,
    env: object,
    options: {
      compatibility: Compatibility;
      trackBackground: (promise: Promise<unknown>) => void;
      ctxExports?: () => object | undefined;
      moduleLoader?: ModuleLoader | undefined;
      vmContext?: Context | undefined;
      workersModule?: object | undefined;
      caches?: CacheStorage | undefined;
    },
  ): Promise<LoadedWorker> {
    const exports =
      source.kind === "path" && options.moduleLoader !== undefined
        ? await options.moduleLoader(source.path)
        : await loadWorkerModule(source, {
            compatibility: options.compatibility,
            vmContext: options.vmContext,
            workersModule: options.workersModule,
            caches: options.caches,
          });
    return new LoadedWorker(name, exports, env, options.trackBackground, options.ctxExports);
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

  /** Delivers a request to the default export's fetch handler (a request from outside: depth 0). */
  fetch(request: Request): Promise<Response> {
    return this.fetchEntrypoint(request, undefined, {}, 0);
  }

  /** Delivers a request to an entrypoint's fetch handler (the default one when `entrypoint` is undefined). */
  async fetchEntrypoint(
    request: Request,
    entrypoint: string | undefined,
    props: Record<string, unknown>,
    depth: number,
  ): Promise<Response> {
    needPlatformGlobals();
    const handler = this.#fetchHandler(entrypoint, props);
    const response: unknown = await runInContext({ depth, host: directHost }, () => handler(request));
    if (!(response instanceof Response)) {
      throw new DuraboxError(
        "ERR_RESPONSE_TYPE",
        `The worker's fetch() handler must return a Response, but it returned ${response === null ? "null" : typeof response}.`,
      );
    }
    return response;
  }

  /**
   * Delivers a batch to the default export's `queue()` handler (workerd's error when there is
   * none) and waits for it and, as production does without `queue_consumer_no_wait_for_wait_until`,
   * for what it handed to `ctx.waitUntil()`; rejects when either failed.
   */
  async queue(batch: object): Promise<void> {
    const entry = this.entrypoint(undefined);
    const waited: Promise<unknown>[] = [];
    const ctx: ExecutionContext = { ...this.#context({}), waitUntil: (promise) => void waited.push(Promise.resolve(promise)) };
    const handler = (): unknown => {
      if (exportKind(entry) === "entrypoint-class") {
        const instance = new (entry as new (ctx: ExecutionContext, env: object) => { queue?: (batch: object) => unknown })(ctx, this.env);
        if (typeof instance.queue !== "function") throw new Error("Handler does not export a queue() function.");
        return instance.queue(batch);
      }
      const queue = (entry as { queue?: unknown }).queue;
      if (typeof queue !== "function") throw new Error("Handler does not export a queue() function.");
      return (queue as (batch: object, env: object, ctx: ExecutionContext) => unknown).call(entry, batch, this.env, ctx);
    };
    await runInContext({ depth: 0, host: directHost }, handler);
    for (let settled = 0; settled < waited.length;) {
      const pending = waited.slice(settled);
      settled = waited.length;
      for (const outcome of await Promise.allSettled(pending)) if (outcome.status === "rejected") throw outcome.reason;
    }
  }

  /** The exported WorkflowEntrypoint class `className`, or a clear error naming the worker's Workflow classes. */
  workflowClass(className: string): new (ctx: ExecutionContext, env: object) => { run?: (event: object, step: object) => unknown } {
    const exported = this.exports[className];
    if (typeof exported === "function" && (exported as { prototype?: unknown }).prototype instanceof WorkflowEntrypoint) {
      return exported as new (ctx: ExecutionContext, env: object) => { run?: (event: object, step: object) => unknown };
    }
    const label = this.name === "" ? "The worker script" : `Worker "${this.name}"`;
    const classes = Object.keys(this.exports).filter(
      (key) => (this.exports[key] as { prototype?: unknown } | undefined)?.prototype instanceof WorkflowEntrypoint,
    );
    throw new DuraboxError(
      "ERR_CLASS_NOT_FOUND",
      `${label} ${exported === undefined ? "does not export" : "exports, but not as a subclass of WorkflowEntrypoint,"} a class named "${className}". ` +
        (classes.length > 0 ? `Its Workflow classes: ${classes.join(", ")}.` : "It exports no WorkflowEntrypoint classes.") +
        ` Export it (export class ${className} extends WorkflowEntrypoint { async run(event, step) { ... } }) or fix the class_name of the workflows binding.`,
    );
  }

  /** Runs `run(event, step)` of a new instance of the Workflow class `className`, with the worker's env. */
  async runWorkflow(className: string, event: object, step: object): Promise<unknown> {
    const Workflow = this.workflowClass(className);
    return runInContext({ depth: 0, host: directHost }, () => {
      const instance = new Workflow(this.#context({}), this.env);
      if (typeof instance.run !== "function") throw new TypeError(`The Workflow class ${className} has no run(event, step) method.`);
      return instance.run(event, step);
    });
  }

  /** What RPC reaches on an entrypoint: a new WorkerEntrypoint instance, or the handlers object's functions. */
  rpcReceiver(entrypoint: string | undefined, props: Record<string, unknown>): object {
    const exported = this.entrypoint(entrypoint);
    const ctx = this.#context(props);
    if (exportKind(exported) === "entrypoint-class") {
      return new (exported as new (ctx: ExecutionContext, env: object) => object)(ctx, this.env);
    }
    return handlersReceiver(exported as Record<string, unknown>, this.env, ctx);
  }

  /** The export an entrypoint names (`default` when undefined), or a clear error. */
  entrypoint(name: string | undefined): unknown {
    const key = name ?? "default";
    const exported = this.exports[key];
    const kind = exportKind(exported);
    if (kind === "entrypoint-class" || kind === "handlers") return exported;
    if (name === undefined) throw this.#noFetch(undefined);
    const label = this.name === "" ? "The worker" : `Worker "${this.name}"`;
    const entrypoints = Object.keys(this.exports).filter((k) => k !== "default" && exportKind(this.exports[k]) === "entrypoint-class");
    throw new DuraboxError(
      "ERR_CLASS_NOT_FOUND",
      `${label} has no entrypoint named "${name}"${exported === undefined ? "" : " (that export is not a WorkerEntrypoint class or an object of handlers)"}. ` +
        (entrypoints.length > 0 ? `Its named entrypoints: ${entrypoints.join(", ")}.` : "It exports no named entrypoints.") +
        ` Export one (export class ${name} extends WorkerEntrypoint { ... }) or fix the entrypoint of the service binding.`,
    );
  }

  #context(props: Record<string, unknown>): ExecutionContext {
    const exports = this.ctxExports();
    return {
      waitUntil: (promise) => this.trackBackground(Promise.resolve(promise)),
      passThroughOnException: () => {},
      props,
      ...(exports !== undefined && { exports }),
    };
  }

  #fetchHandler(entrypoint: string | undefined, props: Record<string, unknown>): (request: Request) => unknown {
    const entry = this.entrypoint(entrypoint);
    const ctx = this.#context(props);
    // `export default class extends WorkerEntrypoint { fetch() {} }`
    if (exportKind(entry) === "entrypoint-class") {
      const Entrypoint = entry as new (ctx: ExecutionContext, env: object) => { fetch?: (r: Request) => unknown };
      return (request) => {
        const instance = new Entrypoint(ctx, this.env);
        if (typeof instance.fetch !== "function") throw this.#noFetch(entrypoint);
        return instance.fetch(request);
      };
    }
    const handlers = entry as { fetch?: unknown };
    if (typeof handlers.fetch === "function") {
      const fetch = handlers.fetch as (request: Request, env: object, ctx: ExecutionContext) => unknown;
      return (request) => fetch.call(entry, request, this.env, ctx);
    }
    throw this.#noFetch(entrypoint);
  }

  #noFetch(entrypoint: string | undefined): DuraboxError {
    const label = this.name === "" ? "The worker" : `Worker "${this.name}"`;
    return new DuraboxError(
      "ERR_NO_HANDLER",
      entrypoint === undefined
        ? `${label} has no fetch handler: export default { async fetch(request, env, ctx) { ... } }.`
        : `${label}'s entrypoint "${entrypoint}" has no fetch() handler, so a service binding's fetch() cannot reach it.`,
    );
  }
}
