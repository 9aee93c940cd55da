/**
 * durabox's own errors carry a stable `code` (as undici's do) so callers can
 * branch on it; the message always says what was wrong and how to fix it.
 * Errors that production Workers throw as plain TypeError/RangeError/Error are
 * thrown as exactly those, not as DuraboxError, so user code sees what it
 * would see on Cloudflare.
 */
export type DuraboxErrorCode =
  | "ERR_OPTIONS"
  | "ERR_CLASS_NOT_FOUND"
  | "ERR_NOT_A_CLASS"
  | "ERR_BINDING_NOT_FOUND"
  | "ERR_NO_HANDLER"
  | "ERR_RESPONSE_TYPE"
  | "ERR_SCRIPT"
  | "ERR_DISPOSED"
  | "ERR_TRANSACTION_CONTENTION"
  | "ERR_RECURSION"
  | "ERR_RPC"
  | "ERR_PERSIST_LOCKED"
  | "ERR_STORAGE"
  | "ERR_SQLITE_UNAVAILABLE";

export class DuraboxError extends Error {
  override readonly name = "DuraboxError";
  constructor(
    readonly code: DuraboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a backend throws when used after its runtime was disposed. */
export function disposedStorageError(): DuraboxError {
  return new DuraboxError("ERR_DISPOSED", "This storage belongs to a disposed runtime: create a new Durabox to read or write storage.");
}
