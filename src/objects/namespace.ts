import type { RpcCompatibility } from "../rpc/compatibility.js";
import { checkJurisdiction, IdFactory, type DurableObjectId } from "./id.js";
import { DurableObjectStub, rpcStub } from "./stub.js";
import type { ObjectInstance } from "./instance.js";

/** @internal What a namespace needs from the runtime. */
export interface NamespaceHost {
  instance(id: DurableObjectId): ObjectInstance;
  /** The class's RPC compatibility settings. */
  readonly rpc?: RpcCompatibility | undefined;
}

export interface NewUniqueIdOptions {
  jurisdiction?: string;
}
export interface GetStubOptions {
  locationHint?: string;
}

/**
 * A Durable Object namespace binding (env.COUNTER): makes ids and stubs for
 * one class. The namespace's identity (worker and class) is what ids are
 * derived from, so two bindings of one class share ids and instances.
 */
export class DurableObjectNamespace {
  readonly #ids: IdFactory;
  readonly #host: NamespaceHost;
  readonly #jurisdiction: string | undefined;

  /** @internal Namespaces are made by the runtime. */
  constructor(ids: IdFactory, host: NamespaceHost, jurisdiction?: string) {
    this.#ids = ids;
    this.#host = host;
    this.#jurisdiction = jurisdiction;
  }

  newUniqueId(options?: NewUniqueIdOptions): DurableObjectId {
    const jurisdiction = options?.jurisdiction ?? this.#jurisdiction;
    checkJurisdiction(jurisdiction, "newUniqueId");
    return this.#ids.newUniqueId(jurisdiction);
  }

  idFromName(name: string): DurableObjectId {
    if (typeof name !== "string") {
      throw new TypeError(`idFromName() expects a string name, got ${name === null ? "null" : typeof name}.`);
    }
    return this.#ids.idFromName(name, this.#jurisdiction);
  }

  idFromString(id: string): DurableObjectId {
    return this.#ids.idFromString(id);
  }

  get(id: DurableObjectId, options?: GetStubOptions): DurableObjectStub {
    void options; // locationHint has no meaning on one machine.
    if (!this.#ids.owns(id)) throw new TypeError("ID is not for this Durable Object class.");
    const host = this.#host;
    return rpcStub(new DurableObjectStub(id, { instance: () => host.instance(id), rpc: host.rpc }));
  }

  getByName(name: string, options?: GetStubOptions): DurableObjectStub {
    return this.get(this.idFromName(name), options);
  }

  /** @internal The identity (worker and class) this namespace's ids derive from. */
  static identityOf(namespace: DurableObjectNamespace): string {
    return namespace.#ids.namespace;
  }

  /** @internal The identity of `value` if it is a namespace (of any copy of this class made here), else undefined. */
  static identityIfNamespace(value: unknown): string | undefined {
    return typeof value === "object" && value !== null && #ids in value ? value.#ids.namespace : undefined;
  }

  /** A view of this namespace whose new ids carry a jurisdiction. */
  jurisdiction(jurisdiction: string): DurableObjectNamespace {
    checkJurisdiction(jurisdiction, "jurisdiction");
    return new DurableObjectNamespace(this.#ids, this.#host, jurisdiction);
  }
}
