import { needPlatformGlobals } from "../../base/platform-globals.js";
import { realmShared } from "../../base/shared-state.js";
import { currentContext } from "../context.js";
import { SocketCore, type FrameSink } from "./socket-core.js";

/** Opens an outgoing connection for `new WebSocket(url)`: the worker layer registers it (it needs the `ws` package). */
export type OutgoingConnector = (core: SocketCore, url: string, protocols: string[]) => void;

/**
 * The Workers `WebSocket`: an EventTarget with `accept()`, `send()`,
 * `close()`, `readyState` and attachments. Its state lives in a SocketCore
 * that only durabox reaches (coreOf), so user code sees production's
 * members only.
 */
class WorkersWebSocket extends EventTarget {
  static readonly READY_STATE_CONNECTING = 0;
  static readonly READY_STATE_OPEN = 1;
  static readonly READY_STATE_CLOSING = 2;
  static readonly READY_STATE_CLOSED = 3;
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** `new WebSocket(url, protocols?)`: an outgoing connection, accepted once open. */
  constructor(url: string | URL, protocols?: string | string[]) {
    super();
    const core = new SocketCore(this, "connecting");
    cores.set(this, core);
    if (url === internalConstruction) return;
    const href = String(url);
    let parsed: URL;
    try {
      parsed = new URL(href);
    } catch {
      throw new DOMException("WebSocket Constructor: The url is invalid.", "SyntaxError");
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw new DOMException("WebSocket Constructor: The url scheme must be ws or wss.", "SyntaxError");
    }
    if (parsed.hash !== "") throw new DOMException("WebSocket Constructor: The url fragment must be empty.", "SyntaxError");
    core.url = href;
    const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
    const connect = state.connector;
    if (connect === undefined) throw new Error("durabox: outgoing WebSockets are not available in this realm.");
    connect(core, parsed.href, list);
  }

  accept(): void {
    const context = currentContext();
    coreOf(this).accept(context?.sockets, context?.outputGate);
  }

  send(message: string | ArrayBuffer | ArrayBufferView): void {
    coreOf(this).send(message, currentContext()?.outputGate);
  }

  close(code?: number, reason?: string): void {
    coreOf(this).close(code, reason, currentContext()?.outputGate);
  }

  get readyState(): number {
    return coreOf(this).readyState;
  }

  get url(): string | null {
    return coreOf(this).url;
  }

  get protocol(): string | null {
    return coreOf(this).protocol;
  }

  get extensions(): string | null {
    return coreOf(this).extensions;
  }

  /** Keeps `value` (structured-cloned, at most 16 KiB) with the socket: it survives hibernation. */
  serializeAttachment(value: unknown): void {
    coreOf(this).serializeAttachment(value);
  }

  deserializeAttachment(): unknown {
    return coreOf(this).deserializeAttachment();
  }
}

/** The marker durabox passes to make a socket without connecting anywhere. */
const internalConstruction = Symbol("durabox.internalWebSocket") as unknown as string;

/** `new WebSocketPair()`: two connected ends, `0` (the client's, returned in a Response) and `1` (the server's). */
class WorkersWebSocketPair {
  readonly 0: WorkersWebSocket;
  readonly 1: WorkersWebSocket;
  constructor() {
    // A pair is made to go in a 101 Response: the Workers Response must be in place (base/platform-globals.ts).
    needPlatformGlobals();
    const [client, server] = pairedSockets();
    this[0] = client;
    this[1] = server;
  }
}

/** The request and response texts of `ctx.setWebSocketAutoResponse()`. */
class WorkersRequestResponsePair {
  readonly #request: string;
  readonly #response: string;
  constructor(request: string, response: string) {
    if (arguments.length < 2) {
      throw new TypeError("Failed to construct 'WebSocketRequestResponsePair': 2 arguments required.");
    }
    this.#request = String(request);
    this.#response = String(response);
  }
  get request(): string {
    return this.#request;
  }
  get response(): string {
    return this.#response;
  }
}

/** Two sockets linked to each other, waiting for accept(). */
function pairedSockets(): [WorkersWebSocket, WorkersWebSocket] {
  const client = new WorkersWebSocket(internalConstruction);
  const server = new WorkersWebSocket(internalConstruction);
  const clientCore = coreOf(client);
  const serverCore = coreOf(server);
  clientCore.mode = serverCore.mode = "pending";
  const toServer: FrameSink = { deliver: (frame) => serverCore.receive(frame) };
  const toClient: FrameSink = { deliver: (frame) => clientCore.receive(frame) };
  clientCore.link(toServer);
  serverCore.link(toClient);
  return [client, server];
}

/** A socket whose output goes to `sink`, waiting for accept() (the client end of a `fetch` upgrade). */
function socketTo(sink: FrameSink): SocketCore {
  const core = coreOf(new WorkersWebSocket(internalConstruction));
  core.mode = "pending";
  core.link(sink);
  return core;
}

/** Production's class names (`ws.constructor.name`), not this file's. */
function named<T extends abstract new (...args: never[]) => unknown>(constructor: T, name: string): T {
  Object.defineProperty(constructor, "name", { value: name });
  return constructor;
}

interface WebSocketRealm {
  readonly WebSocket: typeof WorkersWebSocket;
  readonly WebSocketPair: typeof WorkersWebSocketPair;
  readonly WebSocketRequestResponsePair: typeof WorkersRequestResponsePair;
  readonly cores: WeakMap<object, SocketCore>;
  readonly socketTo: (sink: FrameSink) => SocketCore;
  connector: OutgoingConnector | undefined;
}

// One set of classes per realm (as rpc/classes.ts): every copy of durabox in a
// test file's realm hands out, and recognises, the same sockets.
const state = realmShared<WebSocketRealm>("websockets", () => ({
  WebSocket: named(WorkersWebSocket, "WebSocket"),
  WebSocketPair: named(WorkersWebSocketPair, "WebSocketPair"),
  WebSocketRequestResponsePair: named(WorkersRequestResponsePair, "WebSocketRequestResponsePair"),
  cores: new WeakMap(),
  socketTo,
  connector: undefined,
}));
const cores = state.cores;

export const WebSocket = state.WebSocket;
export type WebSocket = WorkersWebSocket;
export const WebSocketPair = state.WebSocketPair;
export type WebSocketPair = WorkersWebSocketPair;
export const RequestResponsePair = state.WebSocketRequestResponsePair;
export type RequestResponsePair = WorkersRequestResponsePair;

/** The state behind a Workers WebSocket; undefined for anything else. */
export function findCore(value: unknown): SocketCore | undefined {
  return typeof value === "object" && value !== null ? cores.get(value) : undefined;
}

/** The state behind a Workers WebSocket, or a TypeError naming what was given instead. */
export function coreOf(value: unknown, what = "this"): SocketCore {
  const core = findCore(value);
  if (core === undefined) throw new TypeError(`Expected a WebSocket (from new WebSocketPair()) as ${what}.`);
  return core;
}

/** A socket sending to `sink`, waiting for accept(). */
export function socketSendingTo(sink: FrameSink): SocketCore {
  return state.socketTo(sink);
}

/** Registers how `new WebSocket(url)` connects, for this realm. */
export function setOutgoingConnector(connector: OutgoingConnector): void {
  state.connector ??= connector;
}
