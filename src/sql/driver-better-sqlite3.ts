import type { DriverConnection, DriverStatement, DriverValue, OpenOptions, RunResult, SqliteDriver } from "./driver.js";
import { knownExtendedName, primaryOfExtendedName } from "./result-codes.js";

/** The parts of better-sqlite3 (v12) used here; it is an optional peer dependency, so its types are not. */
export type BetterSqlite3Constructor = new (location: string) => BetterDatabase;
interface BetterDatabase {
  prepare(sql: string): BetterStatement;
  exec(sql: string): void;
  close(): void;
  unsafeMode(enabled: boolean): void;
}
interface BetterStatement {
  readonly reader: boolean;
  run(...args: unknown[]): RunResult;
  iterate(...args: unknown[]): Iterator<unknown[]>;
  get(...args: unknown[]): unknown[] | undefined;
  raw(enabled: boolean): BetterStatement;
  safeIntegers(enabled: boolean): BetterStatement;
  columns(): { name: string }[];
}

/**
 * better-sqlite3 has no authorizer, limits or defensive switch. It runs in
 * its "unsafe mode", the one mode where a statement may run while a cursor is
 * still open (production allows writes while iterating); that mode also turns
 * defensive mode off, so defensive rules are emulated as for old node:sqlite.
 * It is built with SQLITE_DQS=0 and offers no sqlite3_db_config: double-quoted
 * string literals are emulated (user-statements.ts).
 */
export function betterSqlite3Driver(Database: BetterSqlite3Constructor): SqliteDriver {
  const probe = new Database(":memory:");
  const sqliteVersion = String(probe.prepare("SELECT sqlite_version()").raw(true).get()?.[0]);
  probe.close();
  return {
    name: "better-sqlite3",
    sqliteVersion,
    features: { authorizer: false, limits: false, defensive: false, textKeepsNul: true, doubleQuotedStrings: false },
    open(location: string, _options: OpenOptions): DriverConnection {
      const db = new Database(location);
      db.unsafeMode(true);
      db.exec("PRAGMA foreign_keys = ON");
      return new BetterConnection(db);
    },
    describeError(error: unknown) {
      const candidate = error as { name?: unknown; code?: unknown; message?: unknown };
      if (candidate?.name !== "SqliteError" || typeof candidate.code !== "string") return undefined;
      const code = primaryOfExtendedName(candidate.code);
      return {
        message: String(candidate.message),
        code,
        extended: candidate.code === code ? undefined : knownExtendedName(candidate.code),
      };
    },
  };
}

class BetterConnection implements DriverConnection {
  constructor(private readonly db: BetterDatabase) {}

  prepare(sql: string, parameterNames: readonly (string | null)[], exactIntegers = false): DriverStatement {
    const statement = this.db.prepare(sql);
    if (exactIntegers && statement.reader) statement.safeIntegers(true);
    return new BetterStatementAdapter(statement, parameterNames);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  close(): void {
    this.db.close();
  }
}

class BetterStatementAdapter implements DriverStatement {
  readonly columnNames: readonly string[];
  private readonly bind: (values: readonly DriverValue[]) => unknown[];

  constructor(
    private readonly statement: BetterStatement,
    parameterNames: readonly (string | null)[],
  ) {
    if (statement.reader) statement.raw(true);
    this.columnNames = statement.reader ? statement.columns().map((column) => column.name) : [];
    this.bind = betterArguments(parameterNames);
  }

  run(values: readonly DriverValue[]): RunResult {
    const args = this.bind(values);
    // The common shapes called directly: a spread call costs as much as a quarter of a one-row insert.
    switch (args.length) {
      case 0:
        return this.statement.run();
      case 1:
        return this.statement.run(args[0]);
      case 2:
        return this.statement.run(args[0], args[1]);
      case 3:
        return this.statement.run(args[0], args[1], args[2]);
      default:
        return this.statement.run(...args);
    }
  }

  iterate(values: readonly DriverValue[]): Iterator<unknown[]> {
    return this.statement.iterate(...this.bind(values));
  }

  first(values: readonly DriverValue[]): unknown[] | undefined {
    const args = this.bind(values);
    switch (args.length) {
      case 0:
        return this.statement.get();
      case 1:
        return this.statement.get(args[0]);
      case 2:
        return this.statement.get(args[0], args[1]);
      default:
        return this.statement.get(...args);
    }
  }
}

/**
 * better-sqlite3 binds bare `?` by position and every named parameter
 * (`:a`, `@a`, `$a`, `?3`) from one object keyed without its prefix.
 */
function betterArguments(names: readonly (string | null)[]): (values: readonly DriverValue[]) => unknown[] {
  if (names.every((name) => name === null)) return (values) => values as unknown[];
  const keys = names.map((name) => (name === null ? null : name.slice(1)));
  return (values) => {
    const byName: Record<string, DriverValue> = {};
    const positional: unknown[] = [];
    values.forEach((value, i) => {
      const key = keys[i];
      if (key === null || key === undefined) positional.push(value);
      else byName[key] = value;
    });
    positional.push(byName);
    return positional;
  };
}
