import type { IsolatedState } from "../../base/isolated-state.js";

/** One key's count within the window that started at `window` (in periods since the epoch). */
interface Bucket {
  readonly window: number;
  readonly count: number;
}

/** The buckets a scope changed; `cleared` hides every layer below it (reset() in that scope). */
interface Layer {
  readonly buckets: Map<string, Bucket>;
  cleared: boolean;
}

const layer = (): Layer => ({ buckets: new Map(), cleared: false });

/**
 * Every rate limiting namespace's counters, layered for test isolation: a
 * test's layer holds the buckets it changed, so popping it restores the block's
 * counts without copying them (O(1) per push and pop). Counters live in memory
 * only (what they count is gone within a minute).
 */
export class RateLimitCounters implements IsolatedState {
  #layers: Layer[] = [layer()];

  /** The count of `key` in the window `window` (0 when another window's count is stored). */
  count(key: string, window: number): number {
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      const { buckets, cleared } = this.#layers[i]!;
      const bucket = buckets.get(key);
      if (bucket !== undefined) return bucket.window === window ? bucket.count : 0;
      if (cleared) return 0;
    }
    return 0;
  }

  set(key: string, window: number, count: number): void {
    this.#layers.at(-1)!.buckets.set(key, { window, count });
  }

  pushLayer(): void {
    this.#layers.push(layer());
  }

  popLayer(): void {
    if (this.#layers.length > 1) this.#layers.pop();
  }

  async deleteAll(): Promise<void> {
    const top = this.#layers.at(-1)!;
    top.buckets.clear();
    top.cleared = true;
  }

  async dispose(): Promise<void> {
    this.#layers = [layer()];
  }
}
