/**
 * A Map that forgets entries beyond `capacity`, least recently used first
 * (approximately: "second chance", so a hit costs a flag write, not a Map
 * reordering; this sits on every exec()).
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, { value: V; used: boolean }>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, { value, used: false });
    while (this.map.size > this.capacity) {
      // The oldest entry goes unless it was used since it last came round; then it goes to the back.
      const [oldestKey, oldest] = this.map.entries().next().value as [K, { value: V; used: boolean }];
      this.map.delete(oldestKey);
      if (oldest.used && oldestKey !== key) {
        oldest.used = false;
        this.map.set(oldestKey, oldest);
      }
    }
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
