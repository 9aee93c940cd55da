// Small helpers every conformance file shares.

/**
 * Every test takes objects of its own name, so a test passes or fails alike
 * whether a runner isolates storage per test (durabox) or per file (the plugin).
 */
export function unique(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/**
 * The error a call rejects with (or null). RPC promises are awaited with
 * then(): expect(...).rejects reads properties of the promise, and on
 * workerd each property read of an RPC promise is a pipelined call of its own
 * whose rejection then goes unhandled.
 */
export function rejection(promise: PromiseLike<unknown>): Promise<(Error & Record<string, unknown>) | null> {
  return Promise.resolve(promise).then(
    () => null,
    (error: Error & Record<string, unknown>) => error,
  );
}

/** The error a synchronous call throws (or null). */
export function thrown(fn: () => unknown): (Error & Record<string, unknown>) | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
}
