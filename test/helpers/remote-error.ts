/** An error as a caller gets it from an object over RPC: workerd marks it `remote: true` (an own property `toThrow(error)` compares). */
export function remote<E extends Error>(error: E): E & { remote: true } {
  return Object.assign(error, { remote: true as const });
}
