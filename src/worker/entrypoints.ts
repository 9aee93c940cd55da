import { DurableObject, WorkerEntrypoint } from "../rpc/classes.js";

/**
 * What a worker's export is to the runtime: a WorkerEntrypoint class (a new
 * instance per request or call), an object of handlers (`export default {
 * fetch }`), a Durable Object class, or none of these.
 */
export type ExportKind = "entrypoint-class" | "handlers" | "durable-object" | "other";

export function exportKind(exported: unknown): ExportKind {
  if (typeof exported === "function") {
    const prototype = (exported as { prototype?: unknown }).prototype;
    if (prototype instanceof WorkerEntrypoint) return "entrypoint-class";
    if (prototype instanceof DurableObject) return "durable-object";
    // `export default class { fetch() {} }` without extends: production runs it as an entrypoint for fetch.
    if (typeof (prototype as { fetch?: unknown } | undefined)?.fetch === "function") return "entrypoint-class";
    return "other";
  }
  if (typeof exported === "object" && exported !== null && Object.values(exported).some((v) => typeof v === "function")) return "handlers";
  return "other";
}

const ONE_ARGUMENT =
  "When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. " +
  "In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead.";

/**
 * An object of handlers as RPC reaches it: each function is called as
 * production calls a handler, `(arg, env, ctx)` with exactly one argument
 * from the caller (workerd's messages otherwise).
 */
export function handlersReceiver(handlers: Record<string, unknown>, env: object, ctx: object): Record<string, unknown> {
  const receiver: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(handlers)) {
    if (typeof value !== "function") {
      receiver[name] = value;
      continue;
    }
    const handler = value as (arg: unknown, env: object, ctx: object) => unknown;
    receiver[name] = (...args: unknown[]) => {
      if (handler.length > 3) {
        throw new TypeError(
          `Cannot call handler function "${name}" over RPC because it has the wrong number of arguments. A simple function handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), where only the first argument comes from the client. To support multi-argument RPC functions, use class-based syntax (extending WorkerEntrypoint) instead.`,
        );
      }
      if (args.length !== 1)
        throw new TypeError(`Attempted to call RPC function "${name}" with the wrong number of arguments. ${ONE_ARGUMENT}`);
      return handler.call(handlers, args[0], env, ctx);
    };
  }
  return receiver;
}
