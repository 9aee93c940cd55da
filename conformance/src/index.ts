// The worker the conformance tests run against: one Durable Object class per
// area, written as users write them for Cloudflare. Nothing here knows which
// runtime it is on.
import { AsyncLocalStorage } from "node:async_hooks";
import { DurableObject, RpcTarget, WorkerEntrypoint } from "cloudflare:workers";
import type { ProbeParams } from "./workflows";

export { ProbeWorkflow } from "./workflows";
import { consume } from "./queues";

export interface Env {
  SECRET: string;
  PLAIN: string;
  DEV_ONLY?: string;
  SQL: DurableObjectNamespace<SqlObject>;
  KV_OBJECT: DurableObjectNamespace<KvObject>;
  RPC: DurableObjectNamespace<RpcObject>;
  SOCKETS: DurableObjectNamespace<SocketObject>;
  ALARMS: DurableObjectNamespace<AlarmObject>;
  PROXIED: DurableObjectNamespace<ProxiedObject>;
  LIMITER: RateLimit;
  API_KEY: SecretsStoreSecret;
  ASSETS: Fetcher;
  KV: KVNamespace;
  BUCKET: R2Bucket;
  DB: D1Database;
  PROBE_WORKFLOW: Workflow<ProbeParams>;
  PROBE_QUEUE: Queue;
}

/** SQLite-backed: the SQL probes run here, directly or through runInDurableObject. */
export class SqlObject extends DurableObject<Env> {
  exec(query: string, ...bindings: SqlStorageValue[]): Record<string, SqlStorageValue>[] {
    return this.ctx.storage.sql.exec(query, ...bindings).toArray();
  }

  /** This object's ctx.props: {} when reached through a namespace, the props a facet was started with. */
  ownProps(): unknown {
    return (this.ctx as unknown as { props: unknown }).props;
  }

  /** Starts facet `name` from ctx.exports.SqlObject({ props }) and answers its ctx.props. */
  async facetProps(name: string, props: unknown): Promise<unknown> {
    const exports = this.ctx.exports as unknown as { SqlObject: (options: { props: unknown }) => unknown };
    const facets = (
      this.ctx as unknown as { facets: { get(name: string, start: () => { class: unknown }): { ownProps(): Promise<unknown> } } }
    ).facets;
    return facets.get(name, () => ({ class: exports.SqlObject({ props }) })).ownProps();
  }

  counts(query: string): [number, number] {
    const cursor = this.ctx.storage.sql.exec(query);
    cursor.toArray();
    return [cursor.rowsRead, cursor.rowsWritten];
  }
}

/** Key-value-backed (a `new_classes` migration): the legacy storage backend. */
export class KvObject extends DurableObject<Env> {
  async increment(): Promise<number> {
    const value = ((await this.ctx.storage.get<number>("count")) ?? 0) + 1;
    await this.ctx.storage.put("count", value);
    return value;
  }
}

export class CustomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CustomError";
  }
}

export class FieldNamedError extends Error {
  override name = "FieldNamedError";
}

export class Counter extends RpcTarget {
  #value = 0;
  increment(): number {
    return ++this.#value;
  }
}

/** JS RPC: members of several kinds, and errors of several shapes. */
/** A value a caller sets around a call: whether the object's event sees it (tests/rpc.test.ts). */
export const callerContext = new AsyncLocalStorage<string>();

export class RpcObject extends DurableObject<Env> {
  field = "instance field";
  arrow = (): string => "arrow";

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // An instance property shadowing the prototype's method of the same name.
    Object.defineProperty(this, "overridden", { value: () => "instance", enumerable: true });
  }

  get getter(): string {
    return "from getter";
  }

  ping(): string {
    return "pong";
  }

  /** The caller's AsyncLocalStorage value as this event sees it, before and after an await. */
  async contextSeen(): Promise<(string | undefined)[]> {
    const before = callerContext.getStore();
    await this.ctx.storage.get("count");
    return [before, callerContext.getStore()];
  }

  overridden(): string {
    return "prototype";
  }

  async increment(by = 1): Promise<number> {
    const value = ((await this.ctx.storage.get<number>("count")) ?? 0) + by;
    await this.ctx.storage.put("count", value);
    return value;
  }

  echo<T>(value: T): T {
    return value;
  }

  counter(): Counter {
    return new Counter();
  }

  async callBack(callback: (n: number) => Promise<number>): Promise<number> {
    return (await callback(20)) + 1;
  }

  throwPlain(): never {
    throw new Error("plain failure");
  }

  throwCustom(): never {
    throw new CustomError("custom failure");
  }

  throwFieldNamed(): never {
    throw new FieldNamedError("field-named failure");
  }

  throwWithCode(): never {
    throw Object.assign(new Error("coded failure"), { code: "E_CODED" });
  }

  throwTypeError(): never {
    throw new TypeError("wrong type");
  }

  throwRetryable(): never {
    throw Object.assign(new Error("transient failure"), { retryable: true });
  }

  throwOverloaded(): never {
    throw Object.assign(new Error("too busy"), { overloaded: true, retryable: true });
  }

  abortNow(): void {
    this.ctx.abort("aborted on purpose");
  }

  /** ctx.exports.Greeter({ props }): a binding to the entrypoint whose ctx.props are those props. */
  async greetWithProps(): Promise<unknown[]> {
    const exports = this.ctx.exports as unknown as Record<string, ((options: object) => Fetcher<Greeter>) & Fetcher<Greeter>>;
    const greeter = exports.Greeter!;
    return [await greeter({ props: { name: "ada" } }).greet(), await greeter.greet()];
  }

  uniqueViolation(): void {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t(name TEXT UNIQUE)");
    this.ctx.storage.sql.exec("INSERT INTO t VALUES ('a')");
    this.ctx.storage.sql.exec("INSERT INTO t VALUES ('a')");
  }
}

/**
 * A constructor that returns a Proxy of the instance (libraries do this to
 * intercept member access); RPC must dispatch through the Proxy, whose
 * methods run on the real instance, where private fields live.
 */
export class ProxiedObject extends DurableObject<Env> {
  #secret = "kept in a private field";
  reads = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    return new Proxy(this, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        target.reads++;
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  }

  secret(): string {
    return this.#secret;
  }
}

/** Hibernatable WebSockets: accepted with acceptWebSocket, an attachment per socket. */
export class SocketObject extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("not an upgrade", { status: 426 });
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, ["room"]);
    server.serializeAttachment({ user: new URL(request.url).searchParams.get("user") ?? "anonymous" });
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "burst") {
      ws.send("first");
      ws.send("second");
    } else if (message === "who") {
      ws.send(JSON.stringify(ws.deserializeAttachment()));
    } else if (message === "count") {
      ws.send(String(this.ctx.getWebSockets("room").length));
    } else if (message === "close") {
      ws.close(4000, "asked to");
    } else {
      ws.send(`echo:${String(message)}`);
    }
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    let attachment: unknown;
    try {
      attachment = ws.deserializeAttachment();
    } catch (error) {
      attachment = { error: String(error) };
    }
    await this.ctx.storage.put("closed", { code, reason, attachment });
  }

  async closed(): Promise<unknown> {
    return this.ctx.storage.get("closed");
  }
}

type AlarmMode = "record" | "abort" | "abort-no-retry" | "throw-once";

/** Alarms: each run's AlarmInvocationInfo is recorded; the mode decides what a run does. */
export class AlarmObject extends DurableObject<Env> {
  async schedule(at: number, mode: AlarmMode = "record"): Promise<void> {
    await this.ctx.storage.put("mode", mode);
    await this.ctx.storage.setAlarm(at);
  }

  async runs(): Promise<AlarmInvocationInfo[]> {
    return (await this.ctx.storage.get<AlarmInvocationInfo[]>("runs")) ?? [];
  }

  async alarm(info?: AlarmInvocationInfo): Promise<void> {
    const runs = await this.runs();
    runs.push({ retryCount: info?.retryCount ?? -1, isRetry: info?.isRetry ?? false } as AlarmInvocationInfo);
    await this.ctx.storage.put("runs", runs);
    // Made durable first: ctx.abort() drops writes not yet flushed.
    await this.ctx.storage.sync();
    const mode = await this.ctx.storage.get<AlarmMode>("mode");
    if (runs.length > 1) return;
    if (mode === "abort") this.ctx.abort("alarm aborted");
    if (mode === "abort-no-retry") this.ctx.abort("alarm aborted", { retryAlarm: false });
    if (mode === "throw-once") throw new Error("alarm failed once");
  }
}

/** What an RPC call made by worker code (not by the test) gives: its value, or its error's shape. */
async function probeRpc(env: Env, params: URLSearchParams): Promise<unknown> {
  const stub = env.RPC.getByName(params.get("name") ?? "probe") as unknown as Record<string, unknown>;
  const member = params.get("member") ?? "";
  try {
    const value = params.get("kind") === "get" ? await stub[member] : await (stub[member] as () => Promise<unknown>)();
    return { value };
  } catch (caught) {
    const error = caught as Error & Record<string, unknown>;
    return {
      error: {
        constructor: error.constructor.name,
        name: error.name,
        message: error.message,
        remote: error.remote ?? null,
        code: error.code ?? null,
        stack: String(error.stack),
      },
    };
  }
}

/** An entrypoint reached through ctx.exports, greeting whoever its props name. */
export class Greeter extends WorkerEntrypoint<Env, { name?: string }> {
  greet(): string {
    return `hello ${this.ctx.props.name ?? "nobody"}`;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/vars") {
      return Response.json({ SECRET: env.SECRET, PLAIN: env.PLAIN, DEV_ONLY: env.DEV_ONLY ?? null });
    }
    if (url.pathname === "/ws") {
      return env.SOCKETS.getByName(url.searchParams.get("room") ?? "lobby").fetch(request);
    }
    if (url.pathname === "/rpc") {
      const name = url.searchParams.get("name") ?? "default";
      return new Response(String(await env.RPC.getByName(name).increment()));
    }
    if (url.pathname === "/rpc-probe") return Response.json(await probeRpc(env, url.searchParams));
    return new Response(`hello from ${url.pathname}`);
  },
  async queue(batch: MessageBatch, env: Env, _ctx: ExecutionContext): Promise<void> {
    await consume(batch, env.KV);
  },
} satisfies ExportedHandler<Env>;
