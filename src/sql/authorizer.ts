import { ALLOWED_FUNCTIONS, ALLOWED_MODULES, ALLOWED_PRAGMAS } from "./allow-lists.js";

/**
 * Production's authorizer rules (workerd SqliteDatabase::isAuthorized with
 * the SqlStorage regulator), as one function over SQLite's authorizer
 * arguments. Drivers with sqlite3_set_authorizer call it for every action
 * SQLite checks; explain-checks.ts calls it with the actions it can infer.
 */
export const Action = {
  CREATE_INDEX: 1,
  CREATE_TABLE: 2,
  CREATE_TEMP_INDEX: 3,
  CREATE_TEMP_TABLE: 4,
  CREATE_TEMP_TRIGGER: 5,
  CREATE_TEMP_VIEW: 6,
  CREATE_TRIGGER: 7,
  CREATE_VIEW: 8,
  DELETE: 9,
  DROP_INDEX: 10,
  DROP_TABLE: 11,
  DROP_TEMP_INDEX: 12,
  DROP_TEMP_TABLE: 13,
  DROP_TEMP_TRIGGER: 14,
  DROP_TEMP_VIEW: 15,
  DROP_TRIGGER: 16,
  DROP_VIEW: 17,
  INSERT: 18,
  PRAGMA: 19,
  READ: 20,
  SELECT: 21,
  TRANSACTION: 22,
  UPDATE: 23,
  ATTACH: 24,
  DETACH: 25,
  ALTER_TABLE: 26,
  REINDEX: 27,
  ANALYZE: 28,
  CREATE_VTABLE: 29,
  DROP_VTABLE: 30,
  FUNCTION: 31,
  SAVEPOINT: 32,
  RECURSIVE: 33,
} as const;

export const TRANSACTION_STATEMENT_MESSAGE =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs " +
  "instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will " +
  "automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic " +
  "atomic write coalescing.";

/** `_cf_` in any case; a regular expression, so the authorizer's every call allocates nothing. */
const RESERVED_PREFIX = /^_cf_/i;

/** Names starting `_cf_` belong to the runtime (the key-value table, metadata). */
export function isAllowedName(name: string): boolean {
  // In any case, as workerd compares it: `_CF_x` and pragma_table_info('_CF_KV') are refused too (conformance/tests/sqlite.test.ts).
  return !RESERVED_PREFIX.test(name);
}

/**
 * Whether user SQL may perform `action`. Throws production's Error for
 * transaction statements, as production's regulator does from inside the
 * authorizer.
 */
export function isAuthorized(
  action: number,
  param1: string | null,
  param2: string | null,
  database: string | null,
  _trigger: string | null,
): boolean {
  // SQLite passes the database name first for these two; production swaps them back.
  if (action === Action.ALTER_TABLE || action === Action.DETACH) {
    const swapped = param1;
    param1 = param2;
    param2 = database;
    database = swapped;
  }
  if (database !== null) {
    if (database === "temp") return isAuthorizedTemp(action, param1);
    if (database !== "main") return false;
  }
  switch (action) {
    case Action.SELECT:
    case Action.ANALYZE:
    case Action.RECURSIVE:
      return true;
    case Action.CREATE_TABLE:
    case Action.DELETE:
    case Action.DROP_TABLE:
    case Action.INSERT:
    case Action.CREATE_VIEW:
    case Action.DROP_VIEW:
    case Action.REINDEX:
    case Action.ALTER_TABLE:
    case Action.READ:
    case Action.UPDATE:
      return param1 !== null && isAllowedName(param1);
    case Action.CREATE_INDEX:
    case Action.DROP_INDEX:
    case Action.CREATE_TRIGGER:
    case Action.DROP_TRIGGER:
      return param1 !== null && isAllowedName(param1) && param2 !== null && isAllowedName(param2);
    case Action.TRANSACTION:
    case Action.SAVEPOINT:
      throw new Error(TRANSACTION_STATEMENT_MESSAGE);
    case Action.PRAGMA:
      return param1 !== null && isAllowedPragma(param1, param2);
    case Action.FUNCTION:
      // Function names are case-insensitive; SQLite passes a column DEFAULT's `CURRENT_TIMESTAMP` as written.
      return param2 !== null && (ALLOWED_FUNCTIONS.has(param2) || ALLOWED_FUNCTIONS.has(param2.toLowerCase()));
    case Action.CREATE_VTABLE:
    case Action.DROP_VTABLE:
      return param2 !== null && ALLOWED_MODULES.has(param2.toLowerCase());
    default:
      // ATTACH, DETACH, temporary objects, COPY and anything unknown.
      return false;
  }
}

function isAuthorizedTemp(action: number, param1: string | null): boolean {
  return (action === Action.READ || action === Action.UPDATE) && param1 !== null && isAllowedName(param1);
}

const BOOLEAN_PREFIXES = ["true", "false", "yes", "no", "on", "off", "1", "0"];

/** The pragma allow-list; `name` is compared as written, as production does. */
export function isAllowedPragma(name: string, value: string | null): boolean {
  const signature = ALLOWED_PRAGMAS.get(name);
  switch (signature) {
    case undefined:
      return false;
    case "any":
      return true;
    case "no-argument":
      return value === null;
    case "allowed-table":
    case "object-name":
      return value !== null && isAllowedName(value);
    case "optional-object-name":
      return value === null || isAllowedName(value);
    case "boolean": {
      if (value === null) return true;
      let text = value;
      if (text.length >= 2 && (text[0] === "'" || text[0] === '"') && text.at(-1) === text[0]) text = text.slice(1, -1);
      // Production compares prefixes (strncasecmp), so "onion" passes as "on".
      const lower = text.toLowerCase();
      return BOOLEAN_PREFIXES.some((prefix) => lower.startsWith(prefix));
    }
    case "null-or-number":
      return value === null || isInt32(value);
    case "null-number-or-object-name":
      return value === null || /^\d+$/.test(value) || isAllowedName(value);
  }
}

function isInt32(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = Number(text);
  return n >= -(2 ** 31) && n < 2 ** 31;
}
