/**
 * The real clock and timers, captured when durabox loads: a test may install
 * fake timers over the globals afterwards (vi.useFakeTimers,
 * jest.useFakeTimers), and durabox's own waits (transaction backoff, gates,
 * SQLite commits, Redis claims) must not be captured by them. Alarms follow
 * the test's clock instead: see realm-clock.ts.
 */
export const realSetTimeout: typeof setTimeout = setTimeout;
export const realClearTimeout: typeof clearTimeout = clearTimeout;
/** setImmediate (WebSocket events are delivered on a later turn, as I/O), which fake timers can replace. */
export const realSetImmediate: (callback: () => void) => void = setImmediate;
/** process.nextTick, which Vitest's and Jest's fake timers can also replace. */
export const realNextTick: typeof process.nextTick = process.nextTick.bind(process);
/** queueMicrotask, which Jest's fake timers replace by default. */
export const realQueueMicrotask: typeof queueMicrotask = queueMicrotask;

/** setTimeout fires at once beyond 2^31-1 ms: longer waits go in steps of at most this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms` of real time. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}
