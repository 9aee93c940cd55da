/**
 * Makes `global[name]` an accessor that, on its first read, replaces itself with `make(a reader of the value it
 * had)`: Node makes several globals on first read (`fetch`, `Request`, `Response` load its fetch
 * implementation, `crypto` Web Crypto), so a test file's globals wrap them only when the file uses
 * them. An assignment before the first read stores the assigned value, as on a plain property. Layered
 * calls on one name compose: what each `make` reads is what the one before made.
 */
export function lazyGlobal(global: object, name: string, make: (previous: () => unknown) => unknown): void {
  const before = Object.getOwnPropertyDescriptor(global, name);
  const define = (value: unknown): void => {
    Object.defineProperty(global, name, { configurable: true, enumerable: before?.enumerable ?? false, writable: true, value });
  };
  Object.defineProperty(global, name, {
    configurable: true,
    enumerable: before?.enumerable ?? false,
    get() {
      const value = make(() => (before?.get !== undefined ? before.get.call(global) : before?.value));
      define(value);
      return value;
    },
    set: define,
  });
}
