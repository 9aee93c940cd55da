import { DuraboxError } from "../base/errors.js";
import type { SqlLimitName } from "./limits.js";

/**
 * The few things durabox needs from a SQLite binding, so node:sqlite (Node
 * 22.16+) and better-sqlite3 (an optional peer dependency, for Node 20) are
 * interchangeable. What each offers beyond that (an authorizer, limits,
 * defensive mode) is declared in `features`; the layers above emulate what is
 * missing (docs/sqlite.md).
 */
export type DriverName = "node:sqlite" | "better-sqlite3";

export interface DriverFeatures {
  /** sqlite3_set_authorizer (node:sqlite 24.10+, 25+). */
  readonly authorizer: boolean;
  /** sqlite3_limit (node:sqlite 24.15+, 25.8+). */
  readonly limits: boolean;
  /** SQLITE_DBCONFIG_DEFENSIVE is on (node:sqlite 24.12+). */
  readonly defensive: boolean;
  /** Text with U+0000 binds and reads whole (node:sqlite of Node 22 cuts it at the NUL). */
  readonly textKeepsNul: boolean;
  /**
   * Double-quoted string literals are accepted (SQLITE_DBCONFIG_DQS_DML/DDL, as production's
   * SQLite): node:sqlite's `enableDoubleQuotedStringLiterals`; better-sqlite3 is built with
   * SQLITE_DQS=0 and has no switch, so user-statements.ts emulates them.
   */
  readonly doubleQuotedStrings: boolean;
}

/** Returns true to allow; may throw to refuse with a tailored error. */
export type AuthorizerCallback = (
  action: number,
  param1: string | null,
  param2: string | null,
  database: string | null,
  trigger: string | null,
) => boolean;

export interface OpenOptions {
  readonly limits: Readonly<Record<SqlLimitName, number>>;
  /** Installed when the driver supports it. */
  readonly authorizer: AuthorizerCallback;
}

export interface SqliteDriver {
  readonly name: DriverName;
  /** The SQLite library version, e.g. "3.50.4". */
  readonly sqliteVersion: string;
  readonly features: DriverFeatures;
  /** Opens a database file, or an in-memory database for ":memory:". */
  open(location: string, options: OpenOptions): DriverConnection;
  /** SQLite's message and primary result code name of an error the driver threw, if it is a SQLite error. */
  describeError(error: unknown): SqliteErrorInfo | undefined;
}

export interface SqliteErrorInfo {
  readonly message: string;
  /** The primary result code's name, e.g. "SQLITE_CONSTRAINT". */
  readonly code: string;
  /** The extended code's name when production names it and it differs, e.g. "SQLITE_CONSTRAINT_UNIQUE". */
  readonly extended?: string | undefined;
}

/** A value a driver binds: text, a double, bytes or NULL; a BigInt (durabox's own statements only) binds as an INTEGER. */
export type DriverValue = string | number | bigint | Uint8Array | null;

export interface DriverConnection {
  /**
   * `parameterNames[i]` is parameter i+1's name as written, or null for `?`.
   * With `exactIntegers`, INTEGERs read as BigInt (durabox's own statements,
   * which copy values exactly); otherwise they may read as numbers.
   */
  prepare(sql: string, parameterNames: readonly (string | null)[], exactIntegers?: boolean): DriverStatement;
  /** Runs trusted SQL that returns nothing (setup, savepoints). */
  exec(sql: string): void;
  close(): void;
}

/** Rows come as arrays of number | bigint | string | null | Uint8Array. */
export type DriverRow = readonly unknown[];

/**
 * What run() returns: the driver's own result object, as it made it (both
 * drivers return these two; no copy is made on the write path).
 */
export interface RunResult {
  /** sqlite3_changes(): rows the statement itself changed (an INSERT/UPDATE/DELETE; stale for anything else). */
  readonly changes: number | bigint;
  /** sqlite3_last_insert_rowid() after the statement. */
  readonly lastInsertRowid: number | bigint;
}

export interface DriverStatement {
  readonly columnNames: readonly string[];
  /** Runs a statement that returns no columns. */
  run(values: readonly DriverValue[]): RunResult;
  /** Starts stepping a statement that returns columns. */
  iterate(values: readonly DriverValue[]): Iterator<DriverRow>;
  /** Steps once: the first row, or undefined; the statement is reset after. */
  first(values: readonly DriverValue[]): DriverRow | undefined;
}

export function sqliteUnavailable(reasons: readonly string[]): DuraboxError {
  return new DuraboxError(
    "ERR_SQLITE_UNAVAILABLE",
    `SQLite-backed Durable Objects need SQLite, and none could be loaded on Node ${process.version}: ${reasons.join("; ")}. ` +
      "Fix: upgrade Node to 22.16 or later (node:sqlite is built in), or install better-sqlite3: npm install --save-dev better-sqlite3@12",
  );
}
