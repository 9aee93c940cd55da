/**
 * Production stops a request at its CPU limit (30 s by default, wrangler's
 * `limits.cpu_ms`) with "Worker exceeded CPU time limit.". Neither driver
 * can interrupt SQLite inside one step (node:sqlite has no progress handler
 * or interrupt, better-sqlite3 neither), so what is bounded here is a
 * statement whose rows are stepped from JavaScript: a cursor that keeps
 * stepping for longer than the limit without the synchronous run ever
 * yielding (no microtask ran between two clock reads) is stopped.
 */
export const DEFAULT_CPU_LIMIT_MS = 30_000;

/** Rows stepped between two clock reads (a power of two: a mask, not a division). */
export const STEPS_PER_CHECK = 4096;

/** Production's message, then which statement durabox stopped and why. */
export function cpuLimitError(limitMs: number, statement: string): Error {
  const text = statement.length > 200 ? `${statement.slice(0, 200)}…` : statement;
  return new Error(
    `Worker exceeded CPU time limit. durabox stopped the SQL statement ${JSON.stringify(text)} after it stepped rows for ` +
      `${limitMs} ms without yielding (production stops a request at its CPU limit, 30 s by default).`,
  );
}

/** One cursor's clock: started at its first check, restarted once the run has yielded. */
export class CpuClock {
  #runStart: number | undefined;
  #yielded = true;

  constructor(readonly limitMs: number) {}

  /** Whether the current synchronous run has stepped for longer than the limit. */
  exceeded(): boolean {
    const now = performance.now();
    if (this.#yielded) {
      this.#runStart = now;
      this.#yielded = false;
      queueMicrotask(() => {
        this.#yielded = true;
      });
      return false;
    }
    return now - this.#runStart! > this.limitMs;
  }
}
