import type { ObjectStorage } from "./object-storage.js";
import type { DurableObjectId } from "./id.js";
import type { ObjectWebSockets } from "./websockets/object-websockets.js";
import type { RequestResponsePair, WebSocket } from "./websockets/websocket.js";
import type { FacetTree } from "./facets/facet-tree.js";
import { DurableObjectFacets } from "./facets/facets.js";
import type { DurableObjectSnapshot } from "../sql/snapshot-handle.js";
import type { DurableObjectRestoreOptions } from "../sql/durable-object-storage.js";

/** What the state needs from the instance it belongs to. */
export interface StateOwner {
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
  waitUntil(promise: Promise<unknown>): void;
  /** ctx.abort(): resets the instance with an error made from `reason`, `options` checked; returns that error. */
  abort(reason?: unknown, options?: unknown): Error;
  readonly webSockets: ObjectWebSockets;
  readonly facets: FacetTree;
}

/**
 * The `state` (or `ctx`) an object's constructor receives: its id, its
 * storage, and control over the events delivered to it.
 */
export class DurableObjectState {
  readonly id: DurableObjectId;
  readonly storage: ObjectStorage;
  readonly #owner: StateOwner;
  #exports: object | undefined;
  #props: Record<string, unknown> = {};
  #facets: DurableObjectFacets | undefined;

  /** @internal */
  constructor(id: DurableObjectId, storage: ObjectStorage, owner: StateOwner) {
    this.id = id;
    this.storage = storage;
    this.#owner = owner;
  }

  /** Child objects with storage of their own, kept beside this object's (see DurableObjectFacets). */
  get facets(): DurableObjectFacets {
    return (this.#facets ??= new DurableObjectFacets(this.#owner.facets));
  }

  /**
   * The next session (after `ctx.abort()`) starts from `target`, a snapshot
   * another object's `ctx.storage.snapshot()` took (or one of this object's
   * bookmarks): `ctx.storage.onNextSessionRestore()`, where the docs show it.
   */
  onNextSessionRestore(target: DurableObjectSnapshot | string, options?: DurableObjectRestoreOptions): Promise<string> {
    return this.storage.onNextSessionRestore(target, options);
  }

  /** Loopback bindings to the worker's own exports (compatibility date 2025-11-17 or `enable_ctx_exports`); undefined otherwise. */
  get exports(): object | undefined {
    return this.#exports;
  }

  /** The props the object was started with: a facet's from `ctx.exports.X({ props })`, else `{}` (as workerd's). */
  get props(): Record<string, unknown> {
    return this.#props;
  }

  /** @internal Set when the class is resolved, before the constructor runs. */
  setExports(exports: object | undefined, props: Record<string, unknown> = {}): void {
    this.#exports = exports;
    this.#props = props;
  }

  /**
   * Delivers no other event to the object until `callback` settles. If it
   * throws, the object is reset: the next event constructs a new instance.
   */
  blockConcurrencyWhile<T>(callback: () => T | Promise<T>): Promise<T> {
    if (typeof callback !== "function") {
      return Promise.reject(new TypeError("blockConcurrencyWhile() expects a function."));
    }
    return this.#owner.blockConcurrencyWhile(async () => callback());
  }

  /** Keeps work going after the response; the runtime waits for it on dispose. */
  waitUntil(promise: Promise<unknown>): void {
    this.#owner.waitUntil(Promise.resolve(promise));
  }

  /**
   * Resets the object: in-flight and queued events fail with the reason (an
   * alarm() that was running is retried unless `{ retryAlarm: false }`), the
   * next one constructs anew. Throws, as production's does, so no code after
   * it runs (production's cannot even be caught).
   */
  abort(reason?: string, options?: { retryAlarm?: boolean }): never {
    throw this.#owner.abort(reason, options);
  }

  // The WebSocket Hibernation API: the sockets live in the object's record, so they outlive this instance.

  /** Accepts the server end of a WebSocketPair for hibernation: its events go to webSocketMessage/Close/Error. */
  acceptWebSocket(ws: WebSocket, tags?: string[]): void {
    this.#owner.webSockets.acceptWebSocket(ws, tags);
  }

  /** The hibernatable WebSockets (those with `tag`, if given), CLOSING ones included. */
  getWebSockets(tag?: string): WebSocket[] {
    return this.#owner.webSockets.getWebSockets(tag) as WebSocket[];
  }

  getTags(ws: WebSocket): string[] {
    return this.#owner.webSockets.getTags(ws);
  }

  /** A request text answered with a response text by the runtime, without waking the object; no argument clears it. */
  setWebSocketAutoResponse(pair?: RequestResponsePair): void {
    this.#owner.webSockets.setWebSocketAutoResponse(pair);
  }

  getWebSocketAutoResponse(): RequestResponsePair | null {
    return this.#owner.webSockets.getWebSocketAutoResponse();
  }

  /** When `ws` last got the auto-response, or null. */
  getWebSocketAutoResponseTimestamp(ws: WebSocket): Date | null {
    return this.#owner.webSockets.getWebSocketAutoResponseTimestamp(ws);
  }

  setHibernatableWebSocketEventTimeout(timeoutMs?: number): void {
    this.#owner.webSockets.setHibernatableWebSocketEventTimeout(timeoutMs);
  }

  getHibernatableWebSocketEventTimeout(): number | null {
    return this.#owner.webSockets.getHibernatableWebSocketEventTimeout();
  }
}
