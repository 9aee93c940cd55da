/**
 * Keys that test runners and libraries probe on any value they meet
 * (`_isMockFunction`, `then`, `asymmetricMatch`, ...): answering them must
 * not create the runtime, or a file that never uses `env` would pay for it.
 */
export function isProbe(key: string | symbol): boolean {
  return (
    typeof key === "symbol" ||
    key.startsWith("_") ||
    key.startsWith("$$") ||
    key.startsWith("@@") ||
    key === "then" ||
    key === "toJSON" ||
    key === "asymmetricMatch" ||
    key === "nodeType" ||
    key === "constructor"
  );
}
