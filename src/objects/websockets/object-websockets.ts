import { realClearTimeout, realSetImmediate, realSetTimeout } from "../../base/clock.js";
import { abortError } from "../abort.js";
import { DuraboxError } from "../../base/errors.js";
import type { Frame, SocketCore, SocketOwner } from "./socket-core.js";
import { coreOf, RequestResponsePair } from "./websocket.js";
import {
  ABNORMAL_CLOSURE,
  ALREADY_ACCEPTED,
  autoResponseTooLarge,
  DISCONNECTED_REASON,
  MAX_AUTO_RESPONSE_BYTES,
  MAX_EVENT_TIMEOUT_MS,
  MAX_HIBERNATABLE_SOCKETS,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  NOT_HIBERNATABLE_TAGS,
  ONLY_HIBERNATABLE_TAGS,
  tagTooLong,
  tooManyTags,
} from "./limits.js";

/** What an object's sockets need from its record. */
export interface WebSocketEventHost {
  /** Delivers an event to the object under its gates, constructing it again if it hibernated. */
  deliver(event: (object: object) => unknown): Promise<unknown>;
  /** Test isolation scopes in force: a socket belongs to the scope it was accepted in. */
  scopeDepth(): number;
  /** The worker's web_socket_auto_reply_to_close, for sockets accepted with accept(). */
  readonly autoReplyToClose: boolean;
  /** A hibernatable event outlived the event timeout: the live instance is aborted with `error`. */
  eventTimedOut(error: Error): void;
}

/** The hibernation handlers and their arguments. */
type HandlerCall =
  | { readonly name: "webSocketMessage"; readonly args: [WebSocket: EventTarget, message: string | ArrayBuffer] }
  | { readonly name: "webSocketClose"; readonly args: [WebSocket: EventTarget, code: number, reason: string, wasClean: boolean] }
  | { readonly name: "webSocketError"; readonly args: [WebSocket: EventTarget, error: unknown] };

const encoder = new TextEncoder();

/**
 * One object's WebSockets, kept in its record so that they outlive the
 * instance: those accepted with `ctx.acceptWebSocket()` (hibernatable: their
 * events construct the object again if it was evicted, and go to its
 * webSocketMessage/Close/Error handlers) and those accepted with `accept()`
 * inside it (they end with the instance). Also the object's auto-response
 * and hibernatable event timeout, which live as long as the sockets do.
 */
export class ObjectWebSockets implements SocketOwner {
  readonly #host: WebSocketEventHost;
  /** Hibernatable sockets in acceptance order, with their tags and the scope they were accepted in. */
  readonly #hibernatable = new Map<SocketCore, { readonly tags: readonly string[]; readonly depth: number }>();
  /** Sockets accept()ed by the live instance, with their scope. */
  readonly #accepted = new Map<SocketCore, number>();
  #autoResponse: RequestResponsePair | undefined;
  #eventTimeout: number | null = null;
  /** Frames for the object's handlers, delivered on a later turn in arrival order. */
  #queue: { core: SocketCore; frame: Frame }[] = [];
  #draining = false;

  constructor(host: WebSocketEventHost) {
    this.#host = host;
  }

  get autoReplyToClose(): boolean {
    return this.#host.autoReplyToClose;
  }

  /** SocketOwner: a socket accept()ed inside the object. */
  adopt(core: SocketCore): void {
    this.#accepted.set(core, this.#host.scopeDepth());
    core.whenDone(() => this.#accepted.delete(core));
  }

  acceptWebSocket(ws: unknown, tags?: unknown): void {
    const core = coreOf(ws, "the first argument of acceptWebSocket()");
    // An Error, not a TypeError: workerd asserts this one with JSG_ASSERT(..., Error, ...).
    if (core.isAccepted) throw new Error(ALREADY_ACCEPTED);
    if (core.mode === "coupled") throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (core.mode === "connecting") throw new TypeError("Websockets obtained from the 'new WebSocket()' constructor cannot call accept");
    const distinct = checkTags(tags);
    if (this.#hibernatable.size >= MAX_HIBERNATABLE_SOCKETS) {
      throw new Error(`A Durable Object cannot accept more than ${MAX_HIBERNATABLE_SOCKETS} hibernatable WebSockets.`);
    }
    this.#hibernatable.set(core, { tags: distinct, depth: this.#host.scopeDepth() });
    core.whenDone(() => this.#hibernatable.delete(core));
    core.acceptForHibernation((frame) => this.#enqueue(core, frame));
  }

  getWebSockets(tag?: unknown): EventTarget[] {
    const sockets: EventTarget[] = [];
    for (const [core, { tags }] of this.#hibernatable) {
      if (tag === undefined || tags.includes(String(tag))) sockets.push(core.socket);
    }
    return sockets;
  }

  getTags(ws: unknown): string[] {
    const core = coreOf(ws, "the argument of getTags()");
    const entry = this.#hibernatable.get(core);
    if (entry === undefined) throw new Error(core.mode === "accepted" ? ONLY_HIBERNATABLE_TAGS : NOT_HIBERNATABLE_TAGS);
    return [...entry.tags];
  }

  setWebSocketAutoResponse(pair?: unknown): void {
    if (pair === undefined || pair === null) {
      this.#autoResponse = undefined;
      return;
    }
    if (!(pair instanceof RequestResponsePair)) {
      throw new TypeError("setWebSocketAutoResponse() expects a WebSocketRequestResponsePair, or no argument to clear it.");
    }
    const requestBytes = encoder.encode(pair.request).byteLength;
    if (requestBytes > MAX_AUTO_RESPONSE_BYTES) throw new RangeError(autoResponseTooLarge("Request", requestBytes));
    const responseBytes = encoder.encode(pair.response).byteLength;
    if (responseBytes > MAX_AUTO_RESPONSE_BYTES) throw new RangeError(autoResponseTooLarge("Response", responseBytes));
    this.#autoResponse = pair;
  }

  getWebSocketAutoResponse(): RequestResponsePair | null {
    return this.#autoResponse ?? null;
  }

  getWebSocketAutoResponseTimestamp(ws: unknown): Date | null {
    return coreOf(ws, "the argument of getWebSocketAutoResponseTimestamp()").autoResponseTimestamp;
  }

  setHibernatableWebSocketEventTimeout(ms?: unknown): void {
    if (ms === undefined || ms === null || ms === 0) {
      this.#eventTimeout = null;
      return;
    }
    const value = Number(ms);
    if (!Number.isFinite(value) || value < 0) {
      throw new TypeError("setHibernatableWebSocketEventTimeout() expects a number of milliseconds, or none to clear it.");
    }
    if (value > MAX_EVENT_TIMEOUT_MS) throw new RangeError(`Event timeout should not exceed ${MAX_EVENT_TIMEOUT_MS} ms.`);
    this.#eventTimeout = value;
  }

  getHibernatableWebSocketEventTimeout(): number | null {
    return this.#eventTimeout;
  }

  /**
   * A handler still running after the event timeout: workerd shuts the object
   * down (its running events fail with the error) and drops its hibernation
   * manager, so every socket is disconnected (the peers see 1006).
   */
  #limited(running: unknown, timeoutMs: number): unknown {
    if (typeof (running as { then?: unknown } | null)?.then !== "function") return running;
    const timer = realSetTimeout(() => {
      // ERR_ABORTED under an Error's name: the handler's own failure with it is not reported again.
      this.#host.eventTimedOut(abortError(EVENT_TIMEOUT_MESSAGE));
      this.dropAll();
    }, timeoutMs);
    timer.unref?.();
    const done = (): void => realClearTimeout(timer);
    (running as Promise<unknown>).then(done, done);
    return running;
  }

  /** The instance went (evicted, reset): what it accept()ed drops (the peer sees 1006); hibernatable sockets stay. */
  instanceGone(): void {
    for (const core of [...this.#accepted.keys()]) core.terminate();
  }

  /** Drops every socket without a Close frame (the peer sees 1006) and calls no handler: eviction with `webSockets: "close"`. */
  dropAll(): void {
    for (const core of [...this.#hibernatable.keys(), ...this.#accepted.keys()]) core.terminate();
  }

  /** Closes the sockets accepted in scopes deeper than `depth` with a Close frame (`code`) to the peer, calling no handler. */
  closeScope(depth: number, code: number, reason: string): void {
    for (const [core, entry] of [...this.#hibernatable]) if (entry.depth > depth) core.terminate({ code, reason });
    for (const [core, at] of [...this.#accepted]) if (at > depth) core.terminate({ code, reason });
  }

  /** Whether only hibernatable sockets keep the object: it may be evicted when idle. */
  get canHibernate(): boolean {
    return this.#hibernatable.size > 0 && this.#accepted.size === 0;
  }

  /** Whether the object holds any socket (accepted either way). */
  get size(): number {
    return this.#hibernatable.size + this.#accepted.size;
  }

  #enqueue(core: SocketCore, frame: Frame): void {
    this.#queue.push({ core, frame });
    if (this.#draining) return;
    this.#draining = true;
    realSetImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#draining = false;
    const queued = this.#queue;
    this.#queue = [];
    for (const { core, frame } of queued) this.#frame(core, frame);
  }

  /** One incoming frame of a hibernatable socket: an auto-response, or an event for the object's handler. */
  #frame(core: SocketCore, frame: Frame): void {
    if (core.done) return;
    const ws = core.socket;
    switch (frame.kind) {
      case "message": {
        if (core.closedIncoming) return;
        const auto = this.#autoResponse;
        // Answered by the runtime: the object is not constructed for it.
        if (auto !== undefined && frame.data === auto.request) {
          if (core.sendQuietly(auto.response)) core.autoResponseTimestamp = new Date();
          return;
        }
        this.#call({ name: "webSocketMessage", args: [ws, frame.data] });
        return;
      }
      case "close":
        // Local workerd (modern-api.md §3): the handler sees CLOSING; the peer gets its Close once the object calls close().
        core.closeReceived(frame, false);
        this.#call({ name: "webSocketClose", args: [ws, frame.code, frame.reason, true] });
        return;
      case "abort":
        if (core.closedIncoming) return;
        core.abortReceived();
        this.#call({ name: "webSocketClose", args: [ws, ABNORMAL_CLOSURE, DISCONNECTED_REASON, false] });
        return;
      case "error":
        if (core.closedIncoming) return;
        core.abortReceived();
        this.#call({ name: "webSocketError", args: [ws, frame.error] });
        return;
    }
  }

  #call(call: HandlerCall): void {
    this.#host
      .deliver((object) => {
        const handler = (object as Record<string, unknown>)[call.name];
        if (typeof handler !== "function") return undefined;
        const running = (handler as (...args: unknown[]) => unknown).apply(object, call.args);
        return this.#eventTimeout === null ? running : this.#limited(running, this.#eventTimeout);
      })
      .catch((error: unknown) => {
        // The instance was evicted, reset or disposed while the event waited: nothing to report.
        if (
          error instanceof DuraboxError &&
          (error.code === "ERR_EVICTED" || error.code === "ERR_ABORTED" || error.code === "ERR_DISPOSED")
        )
          return;
        // An uncaught exception in a handler is logged, as production does; the socket stays open.
        console.error(`Uncaught exception in ${call.name}():`, error);
      });
  }
}

/** workerd's error when a hibernatable WebSocket event outlives setHibernatableWebSocketEventTimeout() (global-scope.c++). */
export const EVENT_TIMEOUT_MESSAGE = "Actor exceeded event execution time and was disconnected.";

/** The distinct tags of acceptWebSocket(), checked against production's limits. */
function checkTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw new TypeError("acceptWebSocket() expects its tags as an array of strings.");
  const distinct = [...new Set(tags.map(String))];
  if (distinct.length > MAX_TAGS) throw new Error(tooManyTags());
  for (const tag of distinct) if (tag.length > MAX_TAG_LENGTH) throw new Error(tagTooLong(tag));
  return distinct;
}
