import { deserialize, serialize } from "../../storage/codec.js";
import { realSetImmediate } from "../../base/clock.js";
import type { OutputGate } from "../gates.js";
import { CloseEvent, ErrorEvent, messageEvent } from "./events.js";
import {
  ABNORMAL_CLOSURE,
  ACCEPT_AFTER_HIBERNATION,
  attachmentTooLarge,
  DISCONNECTED_REASON,
  MAX_ATTACHMENT_BYTES,
  NOT_ACCEPTED,
} from "./limits.js";

/** What travels between two ends: a message, a Close frame, or the peer vanishing (no Close frame). */
export type Frame =
  | { readonly kind: "message"; readonly data: string | ArrayBuffer }
  | { readonly kind: "close"; readonly code: number; readonly reason: string }
  | { readonly kind: "abort" }
  | { readonly kind: "error"; readonly error: unknown };

/** Where one end's outgoing frames go: the other end of its pair, or a network socket. */
export interface FrameSink {
  deliver(frame: Frame): void;
}

/**
 * Where a socket accepted inside an object belongs, taken from the event
 * context at accept(): the object's record drops it when the instance goes,
 * and the worker's compatibility date decides the auto-reply to Close.
 */
export interface SocketOwner {
  readonly autoReplyToClose: boolean;
  adopt(core: SocketCore): void;
}

/**
 * How far a socket got (workerd's states): waiting for accept() or to be
 * returned in a Response; accepted (its listeners get events); accepted for
 * hibernation (the object's handlers get them); coupled to another
 * connection (returned in a Response that left the runtime); or an outgoing
 * `new WebSocket(url)` still connecting.
 */
export type SocketMode = "pending" | "connecting" | "accepted" | "hibernatable" | "coupled";

const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/** Valid close codes (RFC 6455 §7.4; 1004-1006 and 1015 never go on the wire). */
function validCloseCode(code: number): boolean {
  return code >= 1000 && code < 5000 && code !== 1004 && code !== 1005 && code !== 1006 && code !== 1015;
}

/** A message as it travels: strings stay strings, binary data is copied into an ArrayBuffer of its own. */
function toMessageData(data: unknown): string | ArrayBuffer {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (ArrayBuffer.isView(data)) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  // Cross-realm buffers (a test file's vm context) fail instanceof.
  if (Object.prototype.toString.call(data) === "[object ArrayBuffer]") return (data as ArrayBuffer).slice(0);
  return String(data);
}

/**
 * The state behind one Workers WebSocket (the public class is a thin facade
 * over it, so user code never sees these members). Frames from the peer are
 * queued until the socket is accepted, then handed to its receiver: the
 * event dispatcher (accept()), the object's hibernation handlers
 * (ctx.acceptWebSocket), or a network connection (coupled).
 */
export class SocketCore {
  readonly socket: EventTarget;
  mode: SocketMode;
  closedIncoming = false;
  closedOutgoing = false;
  /** The connection dropped (ours or the peer's side): sends are silently ignored. */
  aborted = false;
  error: unknown;
  /** Set on accept(): reply to a Close frame at once (web_socket_auto_reply_to_close). */
  autoReplyToClose = true;
  autoResponseTimestamp: Date | null = null;
  url: string | null = null;
  protocol: string | null = "";
  extensions: string | null = "";
  #peer: FrameSink | undefined;
  #receiver: ((frame: Frame) => void) | undefined;
  #inbox: Frame[] = [];
  #attachment: Uint8Array | undefined;
  /** Told once both directions are closed (or the connection dropped). */
  readonly #onDone: (() => void)[] = [];
  #done = false;
  /** Frames waiting for the accepted socket's listeners, each dispatched in a task of its own (as I/O arrives). */
  #events: Frame[] = [];
  #draining = false;
  /** The output gate of the object that accept()ed this socket: its sends wait for it wherever they are made. */
  #ownerGate: OutputGate | undefined;
  /** The last outgoing frame held behind an output gate: later frames leave after it. */
  #held: Promise<void> | undefined;

  constructor(socket: EventTarget, mode: SocketMode) {
    this.socket = socket;
    this.mode = mode;
  }

  /** Connects this end's output to `peer`. */
  link(peer: FrameSink): void {
    this.#peer = peer;
  }

  /** A frame from the peer: to the receiver, or queued until there is one. */
  receive(frame: Frame): void {
    if (this.#receiver !== undefined) this.#receiver(frame);
    else this.#inbox.push(frame);
  }

  /** Hands incoming frames, the queued ones first, to `receiver`. */
  takeOver(receiver: (frame: Frame) => void): void {
    this.#receiver = receiver;
    const queued = this.#inbox;
    this.#inbox = [];
    for (const frame of queued) receiver(frame);
  }

  get readyState(): number {
    if ((this.closedIncoming && this.closedOutgoing) || this.error !== undefined) return READY_STATE.CLOSED;
    if (this.closedIncoming || this.closedOutgoing) return READY_STATE.CLOSING;
    if (this.mode === "connecting") return READY_STATE.CONNECTING;
    return READY_STATE.OPEN;
  }

  get isAccepted(): boolean {
    return this.mode === "accepted" || this.mode === "hibernatable";
  }

  /** `ws.accept()`: events go to the listeners from now on; inside an object, its sends wait for `gate`. */
  accept(owner: SocketOwner | undefined, gate?: OutputGate): void {
    if (this.mode === "connecting") {
      throw new TypeError("Websockets obtained from the 'new WebSocket()' constructor cannot call accept");
    }
    if (this.mode === "coupled") throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (this.mode === "hibernatable") throw new TypeError(ACCEPT_AFTER_HIBERNATION);
    if (this.mode === "accepted") return;
    this.mode = "accepted";
    if (owner !== undefined) {
      this.autoReplyToClose = owner.autoReplyToClose;
      owner.adopt(this);
    }
    this.#ownerGate = gate;
    this.takeOver((frame) => this.#queueEvent(frame));
  }

  /** `ctx.acceptWebSocket(ws)`: the object's handlers get this socket's events, through `receiver`. */
  acceptForHibernation(receiver: (frame: Frame) => void): void {
    this.mode = "hibernatable";
    this.takeOver(receiver);
  }

  /** Returned in a Response that leaves the runtime: frames go to and come from `network`. */
  couple(network: FrameSink): FrameSink {
    if (this.mode === "connecting") {
      throw new TypeError("Can't return WebSocket in a Response if it was created with `new WebSocket()`");
    }
    if (this.mode === "coupled") throw new TypeError("Can't return WebSocket that was already used in a response.");
    if (this.mode === "hibernatable") throw new TypeError("Can't return WebSocket in a Response after calling acceptWebSocket().");
    if (this.mode === "accepted") throw new TypeError("Can't return WebSocket in a Response after calling accept().");
    this.mode = "coupled";
    this.takeOver((frame) => network.deliver(frame));
    return { deliver: (frame) => this.#peer?.deliver(frame) };
  }

  /** `ws.send()`; made inside an object's event, the message waits for that object's output `gate`. */
  send(data: unknown, gate?: OutputGate): void {
    if (this.closedOutgoing) throw new TypeError("Can't call WebSocket send() after close().");
    // Per the spec, a send after the connection dropped is silently ignored.
    if (this.aborted || this.mode === "coupled") return;
    if (!this.isAccepted) throw new TypeError(NOT_ACCEPTED);
    this.#output({ kind: "message", data: toMessageData(data) }, gate);
  }

  /** Sends what the runtime answers on the object's behalf (an auto-response), if the socket can still send. */
  sendQuietly(data: string): boolean {
    if (this.closedOutgoing || this.aborted) return false;
    this.#peer?.deliver({ kind: "message", data });
    return true;
  }

  /** `ws.close()`; the Close frame waits for the output `gate` as a message does. */
  close(code?: number, reason?: string, gate?: OutputGate): void {
    if (this.mode === "connecting") {
      this.aborted = true;
      this.closedIncoming = this.closedOutgoing = true;
      this.#peer?.deliver({ kind: "abort" });
      this.#finish();
      return;
    }
    // A second close() is ignored, as the spec says (a send() after close() throws).
    if (this.closedOutgoing || this.aborted || this.mode === "coupled") return;
    if (!this.isAccepted) throw new TypeError(NOT_ACCEPTED);
    if (this.error !== undefined) throw this.error;
    if (code !== undefined) {
      code = Number(code);
      if (!validCloseCode(code)) throw new TypeError(`Invalid WebSocket close code: ${code}.`);
    }
    if (reason !== undefined && code === undefined) {
      throw new TypeError("If you specify a WebSocket close reason, you must also specify a code.");
    }
    this.closedOutgoing = true;
    this.#output({ kind: "close", code: code ?? 1005, reason: reason === undefined ? "" : String(reason) }, gate);
    if (this.closedIncoming) this.#finish();
  }

  /**
   * A frame the object sends: it leaves once the writes made before it are
   * confirmed (the output gate, as in workerd), after any frame held before
   * it; if one of those writes failed, the object was reset and it never leaves.
   */
  #output(frame: Frame, gate: OutputGate | undefined): void {
    const confirmed = (gate ?? this.#ownerGate)?.confirmedSoFar();
    if (confirmed === undefined && this.#held === undefined) {
      this.#peer?.deliver(frame);
      return;
    }
    const previous = this.#held;
    const held = (async () => {
      await previous;
      const ok = confirmed === undefined || (await confirmed);
      if (ok && !this.aborted) this.#peer?.deliver(frame);
    })();
    this.#held = held;
    void held.then(() => {
      if (this.#held === held) this.#held = undefined;
    });
  }

  /**
   * The runtime ends the connection for the object: with a Close frame
   * (`code`, e.g. 1001 when a test ends) or, with none, by dropping it (the
   * peer sees 1006). No event reaches this end.
   */
  terminate(close?: { code: number; reason: string }): void {
    if (this.#done) return;
    if (close !== undefined && !this.closedOutgoing) this.#peer?.deliver({ kind: "close", ...close });
    else if (close === undefined) this.#peer?.deliver({ kind: "abort" });
    this.aborted = close === undefined;
    this.closedIncoming = this.closedOutgoing = true;
    this.#finish();
  }

  /** The connection could not be made or failed: an error event, then close 1006 (outgoing sockets). */
  fail(error: unknown, reason: string): void {
    if (this.#done) return;
    this.closedIncoming = true;
    this.aborted = true;
    this.#reportError(error);
    this.socket.dispatchEvent(new CloseEvent("close", { code: ABNORMAL_CLOSURE, reason, wasClean: false }));
    this.#finish();
  }

  /** An outgoing connection is open: accepted at once, then the open event. */
  opened(protocol: string, extensions: string): void {
    this.mode = "accepted";
    this.protocol = protocol;
    this.extensions = extensions;
    this.takeOver((frame) => this.#queueEvent(frame));
    this.socket.dispatchEvent(new Event("open"));
  }

  /** Records that a Close frame arrived; with `reply`, answers it at once. */
  closeReceived(frame: { code: number; reason: string }, reply: boolean): void {
    this.closedIncoming = true;
    if (reply && !this.closedOutgoing) {
      this.closedOutgoing = true;
      this.#peer?.deliver({ kind: "close", code: frame.code, reason: frame.reason });
    }
    if (this.closedOutgoing) this.#finish();
  }

  /** Records that the peer vanished without a Close frame. */
  abortReceived(): void {
    this.closedIncoming = true;
    this.aborted = true;
    this.#finish();
  }

  serializeAttachment(value: unknown): void {
    const bytes = serialize(value);
    if (bytes.byteLength > MAX_ATTACHMENT_BYTES) throw new Error(attachmentTooLarge(bytes.byteLength));
    this.#attachment = bytes;
  }

  deserializeAttachment(): unknown {
    return this.#attachment === undefined ? null : deserialize(this.#attachment);
  }

  /** Runs `callback` once both directions are closed or the connection dropped. */
  whenDone(callback: () => void): void {
    if (this.#done) callback();
    else this.#onDone.push(callback);
  }

  get done(): boolean {
    return this.#done;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    // The attachment stays: webSocketClose, delivered after this, reads it (as in workerd).
    for (const callback of this.#onDone.splice(0)) callback();
  }

  #reportError(error: unknown): void {
    if (this.error !== undefined) return;
    this.error = error;
    const message = error instanceof Error ? error.message : String(error);
    this.socket.dispatchEvent(new ErrorEvent("error", { message, error }));
  }

  #queueEvent(frame: Frame): void {
    this.#events.push(frame);
    if (this.#draining) return;
    this.#draining = true;
    realSetImmediate(() => this.#drainEvents());
  }

  /**
   * One frame per task, as workerd dispatches them: code that awaits one
   * message and then adds a listener for the next still gets it.
   */
  #drainEvents(): void {
    const frame = this.#events.shift();
    if (frame !== undefined) this.#dispatch(frame);
    if (this.#events.length > 0) realSetImmediate(() => this.#drainEvents());
    else this.#draining = false;
  }

  /** One incoming frame as the accepted socket's listeners see it. */
  #dispatch(frame: Frame): void {
    if (this.closedIncoming) return;
    switch (frame.kind) {
      case "message":
        this.socket.dispatchEvent(messageEvent(frame.data));
        return;
      case "close":
        // With the auto-reply, the reciprocal Close goes out first: readyState is CLOSED in the listener.
        this.closedIncoming = true;
        if (this.autoReplyToClose && !this.closedOutgoing) {
          this.closedOutgoing = true;
          this.#peer?.deliver({ kind: "close", code: frame.code, reason: frame.reason });
        }
        this.socket.dispatchEvent(new CloseEvent("close", { code: frame.code, reason: frame.reason, wasClean: true }));
        if (this.closedOutgoing) this.#finish();
        return;
      case "abort":
        this.closedIncoming = true;
        this.aborted = true;
        this.socket.dispatchEvent(new CloseEvent("close", { code: ABNORMAL_CLOSURE, reason: DISCONNECTED_REASON, wasClean: false }));
        this.#finish();
        return;
      case "error":
        this.fail(frame.error, DISCONNECTED_REASON);
        return;
    }
  }
}
