// cloudflare:test's createPagesEventContext(): the one argument of a Pages Function
// (`onRequest(context)`), as @cloudflare/vitest-plugin makes it, its checks and messages included.
import { createExecutionContext } from "./cloudflare-test.js";
import { currentTestRuntime } from "./registry.js";
import { pendingWaitUntil } from "./wait-until.js";

/** What createPagesEventContext() takes. */
export interface EventContextInit {
  request: Request;
  /** The function's path as Pages routes it (default ""). */
  functionPath?: string;
  /** What `context.next()` calls: the next function, or the static asset. */
  next?(request: Request): Response | Promise<Response>;
  /** The route's parameters (`[id].ts`: `{ id }`; `[[path]].ts`: an array). */
  params?: Record<string, string | string[]>;
  /** Data shared with later functions (middleware writes it). */
  data?: Record<string, unknown>;
}

/** A Pages Function's context (workers-types' EventContext). */
export interface PagesEventContext {
  readonly request: Request;
  readonly functionPath: string;
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  /** Calls the init's `next` with the request, or with a request made from `input` (a string is resolved against the request's URL) and `init`. */
  next(input?: Request | string, init?: RequestInit): Promise<Response>;
  readonly env: Record<string, unknown>;
  readonly params: Record<string, string | string[]>;
  readonly data: Record<string, unknown>;
}

function refuse(field: string, type: string): never {
  throw new TypeError(`Incorrect type for the '${field}' field on 'EventContextInit': the provided value is not of type '${type}'.`);
}

const isObject = (value: unknown): boolean => typeof value === "object" && value !== null;

/** Whether env has the `ASSETS` binding every Pages project has (a fetcher). */
function hasAssets(env: Record<string, unknown>): boolean {
  const assets = env.ASSETS;
  return isObject(assets) && typeof (assets as { fetch?: unknown }).fetch === "function";
}

/**
 * An EventContext to call a Pages Function with: `await onRequest(createPagesEventContext({ request }))`.
 * Its `env` is the entry worker's, which must bind `ASSETS` (as a Pages project does; a service
 * binding serves); waitOnExecutionContext() waits for what it was handed with `waitUntil()`.
 */
export function createPagesEventContext(init: EventContextInit): PagesEventContext {
  if (!isObject(init)) throw new TypeError("Failed to execute 'createPagesEventContext': parameter 1 is not of type 'EventContextInit'.");
  if (!(init.request instanceof Request)) refuse("request", "Request");
  if (init.functionPath !== undefined && typeof init.functionPath !== "string") refuse("functionPath", "string");
  if (init.next !== undefined && typeof init.next !== "function") refuse("next", "function");
  if (init.params !== undefined && !isObject(init.params)) refuse("params", "object");
  if (init.data !== undefined && !isObject(init.data)) refuse("data", "object");
  const env = currentTestRuntime().env;
  if (!hasAssets(env)) throw new TypeError("Cannot call `createPagesEventContext()` without defining `ASSETS` service binding");

  const { request, next } = init;
  const ctx = createExecutionContext();
  const context: PagesEventContext = {
    // The function may read the body; next() still gets the request unread.
    request: next === undefined ? request : request.clone(),
    functionPath: init.functionPath ?? "",
    waitUntil: (promise) => ctx.waitUntil(promise),
    passThroughOnException: () => ctx.passThroughOnException(),
    async next(input, nextInit) {
      if (next === undefined) {
        throw new TypeError(
          "Cannot call `EventContext#next()` without including `next` property in 2nd argument to `createPagesEventContext()`",
        );
      }
      if (input === undefined) return next(request);
      return next(new Request(typeof input === "string" ? new URL(input, request.url).toString() : input, nextInit));
    },
    env,
    params: init.params ?? {},
    data: init.data ?? {},
  };
  pendingWaitUntil.set(context, pendingWaitUntil.get(ctx)!);
  return context;
}
