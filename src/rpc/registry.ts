import { realmShared } from "../base/shared-state.js";
import type { TargetRef } from "./target.js";

/** What makes a call through a stub (or a pipeline): a path of property names, and arguments for a call (undefined: a property read). */
export interface Caller {
  call(path: readonly string[], args: readonly unknown[] | undefined): Promise<unknown>;
  /** Makes the stubs the call's copies hold (pipelined calls on a data result make theirs with it). */
  readonly stubFor: StubMaker;
}

/** Makes the stub (a proxy) a receiver gets for a target sent by reference. */
export type StubMaker = (target: TargetRef) => object;

/** One stub's state: the target it reaches, whether it was disposed. */
export interface StubState extends Caller {
  readonly disposed: boolean;
  /** A new stub to the same target (production's `dup()`); the target lives until every one is disposed. */
  dup(): object;
  dispose(): void;
}

/**
 * What the copies of durabox in one realm share about RPC values: which
 * objects are stubs, which are RPC promises or properties, and which are
 * handles that travel as they are. Per realm (as the cloudflare:workers
 * classes are), so a stub made by the runtime's copy is recognised by the
 * copy a test runner loaded for the test's own `cloudflare:workers` import.
 */
interface RpcRealm {
  readonly stubs: WeakMap<object, StubState>;
  /** Durable Object stubs and service bindings: sent over RPC as the same handle. */
  readonly handles: WeakSet<object>;
  /** Values RPC refuses to send, with the DataCloneError message production gives (facet stubs). */
  readonly refused?: WeakMap<object, string>;
}

export const rpcRealm = realmShared<RpcRealm>("rpc", () => ({
  stubs: new WeakMap(),
  handles: new WeakSet(),
  refused: new WeakMap(),
}));

export function stubState(value: unknown): StubState | undefined {
  return typeof value === "function" || (typeof value === "object" && value !== null) ? rpcRealm.stubs.get(value) : undefined;
}

/** Marks a Durable Object stub or service binding: it crosses RPC as itself. */
export function markHandle<T extends object>(handle: T): T {
  rpcRealm.handles.add(handle);
  return handle;
}

/** Marks a value RPC refuses to send: sending it throws a DataCloneError with `message`. */
export function refuseSerialization<T extends object>(value: T, message: string): T {
  rpcRealm.refused?.set(value, message);
  return value;
}

/** The message a refused value's DataCloneError carries, if it is one. */
export function refusal(value: object): string | undefined {
  return rpcRealm.refused?.get(value);
}

/**
 * RPC promises and properties answer this registered symbol with production's
 * type name (JsRpcPromise, JsRpcProperty): they cannot be sent. A brand read
 * through their proxies, so a call costs no registry entry.
 */
export const PENDING_TYPE: unique symbol = Symbol.for("durabox.rpc.pendingType") as never;

export function pendingType(value: object): string | undefined {
  const type = (value as { [PENDING_TYPE]?: unknown })[PENDING_TYPE];
  return typeof type === "string" ? type : undefined;
}
