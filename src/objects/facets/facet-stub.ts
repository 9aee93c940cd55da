import { isRpcReceiver } from "../../rpc/classes.js";
import { notRpcDurableObject } from "../../rpc/messages.js";
import { refuseSerialization } from "../../rpc/registry.js";
import type { TargetRef } from "../../rpc/target.js";
import { deliverFetch, rpcStub } from "../stub-calls.js";
import type { FacetInstance, FacetRun, FacetTree, StartupCallback } from "./facet-tree.js";
import { FACET_STUB_NOT_SERIALIZABLE } from "./limits.js";

/**
 * What ctx.facets.get() returns: a Fetcher (fetch() and JS RPC) to one facet,
 * without `id` or `name` (workerd returns a plain Fetcher). It binds to the
 * facet's run on its first call (calling the startup callback if no run is
 * going) and keeps calling that run: after the facet is aborted its calls
 * fail with the reason, as workerd's do. It cannot be sent over RPC.
 */
export class FacetStub {
  readonly #tree: FacetTree;
  readonly #name: string;
  readonly #callback: StartupCallback;
  #run: FacetRun | undefined;

  /** @internal Made by ctx.facets.get(). */
  constructor(tree: FacetTree, name: string, callback: StartupCallback) {
    this.#tree = tree;
    this.#name = name;
    this.#callback = callback;
  }

  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    return deliverFetch(() => this.#instance(), input, init);
  }

  #instance(): FacetInstance | Promise<FacetInstance> {
    this.#run ??= this.#tree.run(this.#name, this.#callback);
    const run = this.#run;
    const instance = run.instance;
    if (instance instanceof Promise) {
      // A startup that failed binds nothing: the next call starts again.
      return instance.catch((error: unknown) => {
        if (this.#run === run) this.#run = undefined;
        throw error;
      });
    }
    return instance;
  }

  /** @internal The facet as RPC reaches it, under its gates. */
  get rpcTarget(): TargetRef {
    const instanceNow = (): FacetInstance | Promise<FacetInstance> => this.#instance();
    return {
      invoke<T>(depth: number, operation: (target: unknown) => T | Promise<T>, member?: () => string): Promise<T> {
        const deliver = (instance: FacetInstance): Promise<T> => {
          instance.announce("rpc", member);
          return instance.deliver(depth, (object) => {
            if (!isRpcReceiver(object)) throw notRpcDurableObject();
            return operation(object);
          });
        };
        try {
          const instance = instanceNow();
          return instance instanceof Promise ? instance.then(deliver) : deliver(instance);
        } catch (error) {
          return Promise.reject(error);
        }
      },
      retain() {},
      release() {},
    };
  }
}

/** A facet stub with RPC members, refused by the RPC codec with workerd's DataCloneError. */
export function facetStub(tree: FacetTree, name: string, callback: StartupCallback): FacetStub {
  return refuseSerialization(rpcStub(new FacetStub(tree, name, callback), ["fetch"], false), FACET_STUB_NOT_SERIALIZABLE);
}
