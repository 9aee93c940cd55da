import { facetStub, type FacetStub } from "./facet-stub.js";
import type { FacetTree, StartupCallback } from "./facet-tree.js";
import { checkFacetDepth, checkFacetName } from "./limits.js";

/**
 * `ctx.facets`: child Durable Objects of this one, each with its own SQLite
 * database kept beside this object's, started from a class the startup
 * callback names (`ctx.exports.X`). Names are checked as workerd checks them.
 */
export class DurableObjectFacets {
  readonly #tree: FacetTree;

  /** @internal Made with the object's state. */
  constructor(tree: FacetTree) {
    this.#tree = tree;
  }

  /**
   * A stub to the facet `name`. The callback, which returns `{ class, id? }`
   * (or a promise of it), is called on the stub's first call, and only when
   * the facet is not already running; `id` (a DurableObjectId or a string)
   * is the facet's `ctx.id`, by default this object's.
   */
  get(name: string, getStartupOptions: StartupCallback): FacetStub {
    name = checkFacetName(name, "get");
    checkFacetDepth(this.#tree.depth);
    if (typeof getStartupOptions !== "function") {
      throw new TypeError("ctx.facets.get() expects a startup callback as its second argument: () => ({ class, id? }).");
    }
    return facetStub(this.#tree, name, getStartupOptions);
  }

  /** Stops the facet if it is running: calls through its stubs fail with `reason`; its storage stays. */
  abort(name: string, reason: unknown): void {
    this.#tree.abort(checkFacetName(name, "abort"), reason);
  }

  /** Stops the facet and deletes its storage and its own facets'. A name that never existed is fine. */
  delete(name: string): void {
    this.#tree.delete(checkFacetName(name, "delete"));
  }

  /** Replaces `dst` (stopped) with a copy of `src`'s storage and facets; `src` may keep running. */
  clone(src: string, dst: string): void {
    this.#tree.clone(checkFacetName(src, "clone"), checkFacetName(dst, "clone"));
  }
}
