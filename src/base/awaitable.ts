/** A value now, or a promise of it: backends that answer synchronously (memory) return plain values. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Continues with `fn` at once when `value` is already there, and after it
 * arrives when it is a promise: backends that answer synchronously (memory)
 * then cost no microtask hop.
 */
export function andThen<T, R>(value: Awaitable<T>, fn: (value: T) => Awaitable<R>): Awaitable<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Runs `fn`, turning a synchronous throw into a rejected promise, as an async API must. */
export function attempt<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
