import { compareKeys } from "./keys.js";
import { nodeRequire } from "../base/node-require.js";
import type { ListQuery } from "./backend.js";

type BTreeClass = typeof import("sorted-btree").default;
// sorted-btree is CommonJS with its class on `default`.
const BTree = (nodeRequire("sorted-btree") as { default: BTreeClass }).default;

/**
 * A map of string keys in UTF-8 order: a B+ tree, so a write is O(log n) and
 * a range scan O(log n + k) whatever else is stored, beside a hash map of
 * the same entries for point lookups (a KV get, a storage get), which the
 * tree answers only through O(log n) calls of the key comparison.
 * compareKeys is 0 only for equal strings, so both hold the same keys.
 */
export class SortedKeyMap<V> {
  readonly #tree = new BTree<string, V>(undefined, compareKeys);
  readonly #index = new Map<string, V>();

  get size(): number {
    return this.#index.size;
  }

  get(key: string): V | undefined {
    return this.#index.get(key);
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  set(key: string, value: V): void {
    this.#tree.set(key, value, true);
    this.#index.set(key, value);
  }

  delete(key: string): boolean {
    this.#tree.delete(key);
    return this.#index.delete(key);
  }

  clear(): void {
    this.#tree.clear();
    this.#index.clear();
  }

  /** Entries of a half-open range in order (or reverse order), up to `limit`. */
  *scan(query: ListQuery): IterableIterator<[string, V]> {
    const { start, end, limit = Infinity } = query;
    if (limit <= 0) return;
    let count = 0;
    if (query.reverse) {
      const entries = end === undefined ? this.#tree.entriesReversed() : this.#tree.entriesReversed(end, undefined, true);
      for (const entry of entries) {
        if (start !== undefined && compareKeys(entry[0], start) < 0) return;
        yield entry;
        if (++count >= limit) return;
      }
    } else {
      for (const entry of this.#tree.entries(start)) {
        if (end !== undefined && compareKeys(entry[0], end) >= 0) return;
        yield entry;
        if (++count >= limit) return;
      }
    }
  }
}
