import { compareKeys } from "./keys.js";
import { nodeRequire } from "../base/node-require.js";
import type { ListQuery } from "./backend.js";

type BTreeClass = typeof import("sorted-btree").default;
// sorted-btree is CommonJS with its class on `default`.
const BTree = (nodeRequire("sorted-btree") as { default: BTreeClass }).default;

/**
 * A map of string keys in UTF-8 order: a B+ tree, so a lookup or a write is
 * O(log n) and a range scan O(log n + k) whatever else is stored.
 */
export class SortedKeyMap<V> {
  readonly #tree = new BTree<string, V>(undefined, compareKeys);

  get size(): number {
    return this.#tree.size;
  }

  get(key: string): V | undefined {
    return this.#tree.get(key);
  }

  has(key: string): boolean {
    return this.#tree.has(key);
  }

  set(key: string, value: V): void {
    this.#tree.set(key, value, true);
  }

  delete(key: string): boolean {
    return this.#tree.delete(key);
  }

  clear(): void {
    this.#tree.clear();
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
