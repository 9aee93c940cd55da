/**
 * durabox's own errors carry a stable `code` (as undici's do) so callers can
 * branch on it; the message always says what was wrong and how to fix it.
 * Errors that production Workers throw as plain TypeError/RangeError/Error are
 * thrown as exactly those, not as DuraboxError, so user code sees what it
 * would see on Cloudflare.
 *
 * Every code, with the condition it stands for, in two kinds: user errors
 * (the options, the worker's code or the test setup must change) and system
 * errors (the machine, a storage backend, or durabox itself failed).
 */
export const USER_ERROR_CODES = {
  /** An option, CLI flag or wrangler config value is invalid, unknown, or contradicts another. */
  ERR_OPTIONS: "invalid options",
  /** The worker exports no class of the name a Durable Object binding gives. */
  ERR_CLASS_NOT_FOUND: "class not exported",
  /** The export a Durable Object binding names is not a class. */
  ERR_NOT_A_CLASS: "export is not a class",
  /** No binding or class of that name is configured. */
  ERR_BINDING_NOT_FOUND: "binding not configured",
  /** A worker or object was sent an event it has no handler for (fetch). */
  ERR_NO_HANDLER: "no handler",
  /** A fetch handler returned something other than a Response. */
  ERR_RESPONSE_TYPE: "handler returned a non-Response",
  /** Worker code could not be found, bundled, compiled or loaded. */
  ERR_SCRIPT: "worker code failed to load",
  /** The runtime (or its storage) was used after dispose(). */
  ERR_DISPOSED: "runtime disposed",
  /** An event was waiting for an instance that was evicted (a test's eviction, or between tests). */
  ERR_EVICTED: "instance evicted",
  /** A test's connectWebSocket() got an answer other than a 101 response carrying a webSocket. */
  ERR_WEBSOCKET_UPGRADE: "WebSocket upgrade refused",
  /** An event was waiting for an instance that its code aborted with ctx.abort(). */
  ERR_ABORTED: "instance aborted",
  /** A transaction kept conflicting with other writes past the attempt limit. */
  ERR_TRANSACTION_CONTENTION: "transaction contention",
  /** Objects called each other deeper than the recursion limit. */
  ERR_RECURSION: "call recursion too deep",
  /** A test helper was called where no durabox test runtime exists (not under the durabox environment). */
  ERR_NO_TEST_RUNTIME: "no test runtime",
  /** The test environment was set up out of order (the runtime was used before its setup file ran), or tests run concurrently under per-test isolation. */
  ERR_TEST_SETUP: "test environment set up out of order",
} as const;

export const SYSTEM_ERROR_CODES = {
  /** A persistence directory is in use by another running runtime. */
  ERR_PERSIST_LOCKED: "persistence directory locked",
  /** Storage failed (Redis unreachable, a full or read-only disk); nothing was half-written. */
  ERR_STORAGE: "storage backend failed",
  /**
   * A persisted object's log is damaged (not merely torn by a crash): the
   * object is refused, the file left as it is; `durabox repair <dir>` keeps
   * the intact records.
   */
  ERR_STORAGE_CORRUPT: "stored data damaged",
  /** A SQLite-backed class is used where no SQLite driver loads (Node before 22.16 without better-sqlite3). */
  ERR_SQLITE_UNAVAILABLE: "no SQLite driver",
  /** An invariant of durabox's own failed (a bug in durabox, not in the code it runs): `internal()`. */
  ERR_INTERNAL: "durabox invariant failed",
} as const;

export const ERROR_CODES = { ...USER_ERROR_CODES, ...SYSTEM_ERROR_CODES } as const;

export type DuraboxErrorCode = keyof typeof ERROR_CODES;

/** Marks DuraboxErrors of every copy of durabox in the process (Jest evaluates one per test file). */
const BRAND = Symbol.for("durabox.error");

export class DuraboxError extends Error {
  override readonly name = "DuraboxError";
  readonly code: DuraboxErrorCode;

  constructor(code: DuraboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** `instanceof DuraboxError` holds for an error made by any copy of durabox, as undici's errors do. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
Object.defineProperty(DuraboxError.prototype, BRAND, { value: true });

/** Whether `code` is a system error (the machine, a backend, or durabox failed) rather than the user's to fix. */
export function isSystemError(code: DuraboxErrorCode): boolean {
  return Object.hasOwn(SYSTEM_ERROR_CODES, code);
}

/** What a backend throws when used after its runtime was disposed. */
export function disposedStorageError(): DuraboxError {
  return new DuraboxError("ERR_DISPOSED", "This storage belongs to a disposed runtime: create a new Durabox to read or write storage.");
}
