import { compareKeys } from "./keys.js";
import type { ListQuery, StoredEntry } from "./backend.js";
import type { SortedKeyMap } from "./sorted-map.js";

/** A pending change: bytes to store, or null for a deletion. */
export type Change = Uint8Array | null;

/**
 * The changes of `layers` (top first; the top-most change of a key wins)
 * within the query's range, ignoring its limit.
 */
export function changesInRange(layers: readonly SortedKeyMap<Change>[], query: ListQuery): Map<string, Change> {
  const changes = new Map<string, Change>();
  const unlimited = { ...query, limit: undefined };
  for (const layer of layers) {
    for (const [key, change] of layer.scan(unlimited)) {
      if (!changes.has(key)) changes.set(key, change);
    }
  }
  return changes;
}

/**
 * How many entries to ask of the store below so that `limit` survive the
 * changes on top: each change hides at most one entry below.
 */
export function widenedQuery(query: ListQuery, changes: number): ListQuery {
  return query.limit === undefined ? query : { ...query, limit: query.limit + changes };
}

/** Lays `changes` over a page listed below them and re-applies order and limit. */
export function mergeListed(below: readonly StoredEntry[], changes: ReadonlyMap<string, Change>, query: ListQuery): StoredEntry[] {
  if (changes.size === 0) {
    return query.limit === undefined ? [...below] : below.slice(0, query.limit);
  }
  const merged: StoredEntry[] = below.filter(([key]) => !changes.has(key));
  for (const [key, change] of changes) if (change !== null) merged.push([key, change]);
  const direction = query.reverse ? -1 : 1;
  merged.sort((a, b) => direction * compareKeys(a[0], b[0]));
  return query.limit === undefined ? merged : merged.slice(0, query.limit);
}
