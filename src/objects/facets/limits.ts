/**
 * Production's facet limits and messages (workerd api/actor-state.c++,
 * server/facet-tree-index.c++, server/server.c++).
 */

/** A facet name's limit, in UTF-8 bytes (workerd compares `kj::StringPtr::size()`); the message says characters. */
export const MAX_FACET_NAME_LENGTH = 256;
/** The facet tree's depth, the root Durable Object included: the root is at depth 0, the deepest facet at 3. */
export const MAX_FACET_TREE_DEPTH = 4;
/** workerd's facet index numbers facets with 16 bits. */
export const MAX_FACETS = 0xffff;

export const FACET_ALARMS_REFUSED = "Facets currently cannot set alarms.";
export const FACET_DELETED = "Facet was deleted.";
export const FACET_CLONED_OVER = "Facet was cloned-over.";
export const FACET_STUB_NOT_SERIALIZABLE = "Stubs pointing to Durable Object facets are not serializable.";

const encoder = new TextEncoder();

/** Every facet method's check of a name: a string, not empty, at most 256 bytes. */
export function checkFacetName(name: unknown, method: string): string {
  if (typeof name !== "string") {
    throw new TypeError(`ctx.facets.${method}() expects a facet name (a string), but got ${name === null ? "null" : typeof name}.`);
  }
  if (encoder.encode(name).length > MAX_FACET_NAME_LENGTH) {
    throw new TypeError(`Facet name is too long (max ${MAX_FACET_NAME_LENGTH} characters).`);
  }
  // workerd checks this where it numbers the facet (facet-tree-index.c++), when the facet's storage is first reached.
  if (name.length === 0) throw new Error("Facet name cannot be empty");
  return name;
}

/** ctx.facets.get() in an object at `depth` (the root is 0). */
export function checkFacetDepth(depth: number): void {
  if (depth + 1 >= MAX_FACET_TREE_DEPTH) {
    throw new Error(`Facet nesting depth limit exceeded. The maximum depth including the root Durable Object is ${MAX_FACET_TREE_DEPTH}.`);
  }
}
