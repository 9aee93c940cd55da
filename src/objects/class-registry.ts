import { DuraboxError } from "../base/errors.js";
import type { RpcCompatibility } from "../rpc/compatibility.js";
import { IdFactory } from "./id.js";
import type { DurableObjectState } from "./state.js";

/** A Durable Object class as worker code exports it. */
export type DurableObjectClass = new (state: DurableObjectState, env: never) => object;

export interface ResolvedClass {
  readonly objectClass: DurableObjectClass;
  readonly env: object;
  /** `ctx.exports`, when the worker's compatibility settings turn it on. */
  readonly exports?: object;
  /** `ctx.props`: a facet's, from the class handle it was started with. */
  readonly props?: Record<string, unknown>;
}

/** How a class keeps its data: the 2022 key-value storage, or a SQLite database per object. */
export type StorageKind = "key-value" | "sqlite";

/** One Durable Object class as the runtime knows it. */
export interface ObjectClassSpec {
  /** Unique per class and the worker that exports it (`<worker>#<class>`); ids derive from it. */
  readonly identity: string;
  readonly className: string;
  readonly storageKind: StorageKind;
  /** web_socket_auto_reply_to_close for its worker (its compatibility date or flag); on when omitted. */
  readonly webSocketAutoReplyToClose?: boolean;
  /** Its worker's RPC compatibility settings (error serialisation, stubs in parameters); the current ones when omitted. */
  readonly rpc?: RpcCompatibility;
  /** The class and its worker's env; a promise while the worker is loading. */
  resolve(): ResolvedClass | Promise<ResolvedClass>;
}

export interface RegisteredClass {
  readonly spec: ObjectClassSpec;
  readonly ids: IdFactory;
}

/** The Durable Object classes of one runtime, by namespace identity, each with its id factory. */
export class ClassRegistry {
  readonly #classes = new Map<string, RegisteredClass>();

  /** Registers a class; a second binding of the same class keeps the first registration. */
  define(spec: ObjectClassSpec): void {
    if (!this.#classes.has(spec.identity)) this.#classes.set(spec.identity, { spec, ids: new IdFactory(spec.identity) });
  }

  has(identity: string): boolean {
    return this.#classes.has(identity);
  }

  /** The class of a namespace identity, or undefined (data of a class no longer configured). */
  find(identity: string): RegisteredClass | undefined {
    return this.#classes.get(identity);
  }

  get(identity: string): RegisteredClass {
    const known = this.#classes.get(identity);
    if (known === undefined) {
      throw new DuraboxError("ERR_BINDING_NOT_FOUND", `No Durable Object class is defined for "${identity}".`);
    }
    return known;
  }
}
