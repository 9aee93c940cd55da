import type { RpcCompatibility } from "../rpc/compatibility.js";
import type { TargetRef } from "../rpc/target.js";
import { deliverFetch, rpcStub, toRequest } from "./stub-calls.js";
import type { DurableObjectId } from "./id.js";
import type { EventOutcome, ObjectInstance } from "./instance.js";

/** @internal How a stub reaches its object: through the runtime, on every call. */
export interface StubTarget {
  /** The live instance for the id now (a new one after eviction or reset). */
  instance(): ObjectInstance;
  /** The class's RPC compatibility settings. */
  readonly rpc?: RpcCompatibility | undefined;
}

/**
 * A stub: the caller's handle on an object. fetch() delivers a request; any
 * other member is JS RPC (on classes that extend DurableObject), with
 * arguments and results through the RPC codec (rpc/). Calls on one stub
 * reach the object in the order they were made.
 */
export class DurableObjectStub {
  readonly id: DurableObjectId;
  readonly #target: StubTarget;
  /** The instance this stub's last call reached. */
  #reached: ObjectInstance | undefined;

  /** @internal Stubs come from namespace.get(id). */
  constructor(id: DurableObjectId, target: StubTarget) {
    this.id = id;
    this.#target = target;
  }

  get name(): string | undefined {
    return this.id.name;
  }

  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    return deliverFetch(() => this.#instance(), input, init);
  }

  /**
   * The live instance for the id (a new one after eviction), unless the one
   * this stub reached was aborted by abortAllDurableObjects(): then the stub
   * stays broken, as workerd's do.
   */
  #instance(): ObjectInstance {
    const broken = this.#reached?.stubsBrokenBy;
    if (broken !== undefined) throw broken;
    return (this.#reached = this.#target.instance());
  }

  /** @internal The object as RPC reaches it: the live instance for the id, on every call, under its gates. */
  get rpcTarget(): TargetRef {
    const instanceNow = (): ObjectInstance => this.#instance();
    // The gates settle an RPC call's promise themselves (instance.deliver takes an Unsettled outcome).
    const invoke = <T>(depth: number, operation: (target: unknown) => EventOutcome<T>, member?: () => string): Promise<T> => {
      let instance: ObjectInstance;
      try {
        instance = instanceNow();
      } catch (error) {
        return Promise.reject(error);
      }
      instance.announce("rpc", member);
      return instance.deliver(depth, operation, member);
    };
    return {
      rpc: this.#target.rpc,
      receiverOnly: true,
      invoke,
      invokeUnsettled: invoke,
      // The object outlives its stubs: there is nothing to count.
      retain() {},
      release() {},
    };
  }
}

export { rpcStub, toRequest };
