/**
 * Production's sqlite3_limit values (workerd util/sqlite.c++ setupSecurity;
 * shared/reference/modern-api.md §1.1), in node:sqlite's `limits` names.
 * Drivers that can set them natively do; otherwise the checks in
 * statement-facts.ts and explain-checks.ts stand in (docs/sqlite.md lists
 * which).
 */
export const SQL_LIMITS = {
  /** SQLITE_LIMIT_LENGTH: a string, BLOB or row (the docs promise 2 MB; the engine allows 4 MiB). */
  length: 4 * 1024 * 1024,
  sqlLength: 100_000,
  column: 100,
  exprDepth: 100,
  compoundSelect: 5,
  vdbeOp: 25_000,
  functionArg: 127,
  attach: 0,
  likePatternLength: 50,
  variableNumber: 100,
  triggerDepth: 10,
} as const;

export type SqlLimitName = keyof typeof SQL_LIMITS;

/** Key and value together, for the key-value API of SQLite-backed objects (docs: 2 MB). */
export const MAX_SQLITE_KV_ENTRY_BYTES = 2 * 1024 * 1024;
