import { AsyncLocalStorage } from "node:async_hooks";

/**
 * A value shared by every copy of durabox in this process. Jest evaluates
 * durabox once per test file (inside the file's vm context), so module-level
 * state would be per file; this keeps it per process, on an object every copy
 * gets from Node itself (the AsyncLocalStorage class).
 */
export function processShared<T>(name: string, make: () => T): T {
  const holder = AsyncLocalStorage as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`durabox.${name}`);
  return (holder[key] ??= make());
}
