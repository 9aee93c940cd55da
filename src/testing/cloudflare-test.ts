// The members of Cloudflare's `cloudflare:test` module that durabox's own
// helpers (helpers.ts) do not already offer under the same name. The module
// (src/cloudflare-test.ts) is helpers.ts plus these. Not globals: names such
// as `reset` and `SELF` are for importing.
import type { MockAgent } from "undici";
import type { ExecutionContext } from "../worker/contracts.js";
import { isProbe } from "./probes.js";
import { currentTestRuntime } from "./registry.js";
import { pendingWaitUntil } from "./wait-until.js";
import { isMessageBatch, MessageBatch, queueResult, type QueueResult } from "../bindings/queues/batch.js";
import { SECRETS_STORE_ADMIN, type SecretsStoreSecretAdmin } from "../bindings/secrets-store/admin.js";

export type { SecretsStoreSecretAdmin } from "../bindings/secrets-store/admin.js";

/** What `fetch()` on a worker's default export takes: `SELF.fetch(url, init)`. */
export interface Fetcher {
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
}

/** A view of `target()` whose methods stay bound to it; probes (`then`, ...) answer undefined without creating anything. */
function lazy<T extends object>(target: () => object): T {
  return new Proxy({} as T, {
    get: (_object, key) => {
      if (isProbe(key)) return undefined;
      const object = target();
      const value: unknown = Reflect.get(object, key);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
    has: (_object, key) => !isProbe(key) && Reflect.has(target(), key),
  });
}

/**
 * The entry worker's default export, as a service binding to it: `SELF.fetch(...)`.
 * Cloudflare deprecates it for `exports.default` from `cloudflare:workers`; both work.
 */
export const SELF: Fetcher = lazy<Fetcher>(() => currentTestRuntime().workerExports().default as object);

/**
 * Outbound `fetch` mocking, as Cloudflare's integration had it until 2026: undici's MockAgent,
 * deactivated until `fetchMock.activate()`. Interceptors, activation and `disableNetConnect()`
 * set in a test are undone after it, as storage is.
 */
export const fetchMock: MockAgent = lazy<MockAgent>(() => currentTestRuntime().fetchMock.agent);

/**
 * Deletes every Durable Object's storage (key-value, SQL, alarm) and every binding's data, and
 * resets every instance. Under durabox's per-test isolation a test's changes are undone anyway,
 * and so is reset(): what the describe blocks' beforeAll hooks stored is there again for the next test.
 */
export function reset(): Promise<void> {
  return currentTestRuntime().reset();
}

/** Resets every live instance at once, keeping storage; the next call constructs a fresh one. */
export async function abortAllDurableObjects(): Promise<void> {
  currentTestRuntime().abortAllDurableObjects();
}

/** Evicts every live instance, keeping storage (accepted WebSockets hibernate unless `webSockets: "close"`). */
export async function evictAllDurableObjects(options?: { webSockets?: "close" | "hibernate" }): Promise<void> {
  currentTestRuntime().evictAllDurableObjects(options);
}

/** The waitUntil() work of each context createExecutionContext() or createPagesEventContext() made. */
const pending = pendingWaitUntil;

/** An ExecutionContext to call a handler with directly: `worker.fetch(request, env, ctx)`. */
export function createExecutionContext(): ExecutionContext & { readonly exports: Record<string, unknown> } {
  const promises: Promise<unknown>[] = [];
  const context = {
    waitUntil(promise: Promise<unknown>): void {
      promises.push(Promise.resolve(promise));
    },
    passThroughOnException(): void {},
    props: {},
    get exports(): Record<string, unknown> {
      return currentTestRuntime().workerExports();
    },
  };
  pending.set(context, promises);
  return context;
}

/** Waits for everything handed to the context's waitUntil(), including work added while waiting. */
export async function waitOnExecutionContext(context: ExecutionContext): Promise<void> {
  const promises = pending.get(context);
  if (promises === undefined) {
    throw new TypeError("waitOnExecutionContext() expects a context made by createExecutionContext() or createPagesEventContext().");
  }
  for (let settled = 0; settled < promises.length;) {
    const batch = promises.slice(settled);
    settled = promises.length;
    await Promise.allSettled(batch);
  }
}

/** What a `scheduled()` handler receives. */
export interface ScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
  noRetry(): void;
}

/** A ScheduledController to call a `scheduled(controller, env, ctx)` handler with. */
export function createScheduledController(options: { scheduledTime?: Date | number; cron?: string } = {}): ScheduledController {
  const { scheduledTime = Date.now(), cron = "" } = options;
  const time = scheduledTime instanceof Date ? scheduledTime.getTime() : scheduledTime;
  if (typeof time !== "number" || Number.isNaN(time)) {
    throw new TypeError("createScheduledController() expects scheduledTime to be a Date or a number of milliseconds.");
  }
  if (typeof cron !== "string") throw new TypeError("createScheduledController() expects cron to be a string.");
  return { scheduledTime: time, cron, noRetry: () => {} };
}

/** One message of a batch createMessageBatch() makes. */
export interface MessageBatchMessage<Body = unknown> {
  id: string;
  timestamp: Date | number;
  attempts: number;
  body: Body;
}

/** A MessageBatch to call a `queue(batch, env, ctx)` handler with; getQueueResult() reads what the handler did with it. */
export function createMessageBatch<Body = unknown>(queueName: string, messages: MessageBatchMessage<Body>[]): MessageBatch {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'createMessageBatch': parameter 1 is not of type 'string'.");
  if (!Array.isArray(messages)) throw new TypeError("Failed to execute 'createMessageBatch': parameter 2 is not of type 'Array'.");
  return new MessageBatch(
    String(queueName),
    messages.map((message) => {
      const { timestamp, attempts } = message;
      if (typeof timestamp !== "number" && !(timestamp instanceof Date)) {
        throw new TypeError(
          "Incorrect type for the 'timestamp' field on 'ServiceBindingQueueMessage': the provided value is not of type 'date'.",
        );
      }
      if (typeof attempts !== "number") {
        throw new TypeError(
          "Incorrect type for the 'attempts' field on 'ServiceBindingQueueMessage': the provided value is not of type 'number'.",
        );
      }
      if ("serializedBody" in message) throw new TypeError("Cannot use `serializedBody` with `createMessageBatch()`");
      return { id: String(message.id), timestamp: new Date(Number(timestamp)), attempts, body: structuredClone(message.body) };
    }),
  );
}

/** What the handler did with a batch createMessageBatch() made, after everything it handed to `ctx.waitUntil()` settled. */
export async function getQueueResult(batch: MessageBatch, ctx: ExecutionContext): Promise<QueueResult> {
  if (!isMessageBatch(batch)) {
    throw new TypeError(
      "Failed to execute 'getQueueResult': parameter 1 is not of type 'MessageBatch'.\nYou must call 'createMessageBatch()' to get a 'MessageBatch' instance.",
    );
  }
  if (!pending.has(ctx)) {
    throw new TypeError(
      "Failed to execute 'getQueueResult': parameter 2 is not of type 'ExecutionContext'.\nYou must call 'createExecutionContext()' to get an 'ExecutionContext' instance.",
    );
  }
  await waitOnExecutionContext(ctx);
  return queueResult(batch);
}

/**
 * The admin API of a Secrets Store binding (`env.API_KEY`): creates, updates and deletes the
 * secrets bindings can only read. What it writes rolls back with the test, as other bindings' data does.
 */
export function adminSecretsStore(binding: { get(): Promise<string> }): SecretsStoreSecretAdmin {
  const admin: unknown = typeof binding === "object" && binding !== null ? Reflect.get(binding, SECRETS_STORE_ADMIN) : undefined;
  if (typeof admin !== "function") {
    throw new TypeError("Failed to execute 'adminSecretsStore': parameter 1 is not a secrets store binding.");
  }
  return (admin as () => SecretsStoreSecretAdmin).call(binding);
}
