import { inRange } from "./keys.js";
import type { ReadSet } from "./backend.js";

/**
 * The recent commits of one object, for optimistic concurrency control: a
 * transaction conflicts when any commit after the version it started from
 * wrote a key it read or a key inside a range it listed (so a phantom insert
 * into a listed range conflicts too). The log keeps the last `capacity`
 * commits; a transaction older than that is treated as conflicting, which is
 * safe (it retries) and keeps memory bounded.
 */
export class CommitLog {
  #version = 0;
  readonly #entries: { version: number; keys: readonly string[] | "all" }[] = [];

  constructor(readonly capacity = 1024) {}

  get version(): number {
    return this.#version;
  }

  /** Records a commit and returns its version. */
  record(keys: readonly string[] | "all"): number {
    const version = ++this.#version;
    this.#entries.push({ version, keys });
    if (this.#entries.length > this.capacity) this.#entries.shift();
    return version;
  }

  conflicts(readSet: ReadSet, since: number): boolean {
    if (since === this.#version) return false;
    if (readSet.keys.length === 0 && readSet.ranges.length === 0) return false;
    const oldest = this.#entries[0];
    if (oldest === undefined || oldest.version > since + 1) return true;
    const readKeys = new Set(readSet.keys);
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      if (entry.version <= since) break;
      if (entry.keys === "all") return true;
      for (const key of entry.keys) {
        if (readKeys.has(key)) return true;
        for (const range of readSet.ranges) if (inRange(key, range)) return true;
      }
    }
    return false;
  }
}
