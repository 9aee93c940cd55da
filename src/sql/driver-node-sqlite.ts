import type { AuthorizerCallback, DriverConnection, DriverStatement, DriverValue, OpenOptions, RunResult, SqliteDriver } from "./driver.js";
import { extendedCodeName, primaryCodeName } from "./result-codes.js";

/** The parts of node:sqlite used here (its types ship only with @types/node 22+). */
interface NodeSqliteModule {
  DatabaseSync: new (location: string, options?: object) => NodeDatabase;
  StatementSync: { prototype: object };
  constants?: { SQLITE_OK?: number; SQLITE_DENY?: number };
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
  setAuthorizer?(callback: ((...args: (number | string | null)[]) => number) | null): void;
  enableDefensive?(active: boolean): void;
  limits?: Record<string, number>;
}
interface NodeStatement {
  run(...args: unknown[]): RunResult;
  iterate(...args: unknown[]): Iterator<unknown[]>;
  get(...args: unknown[]): unknown[] | undefined;
  columns(): { name: string }[];
  setReturnArrays(enabled: boolean): void;
  setReadBigInts(enabled: boolean): void;
}

/** Production's SQLite enforces foreign keys and accepts double-quoted string literals (its build keeps SQLITE_DQS's default). */
const OPEN_OPTIONS = { enableForeignKeyConstraints: true, enableDoubleQuotedStringLiterals: true };

/** node:sqlite, when this Node has it with the statement API durabox needs (22.16+). */
export function nodeSqliteDriver(module: NodeSqliteModule): SqliteDriver | string {
  const statement = module.StatementSync.prototype as Partial<NodeStatement>;
  if (typeof statement.setReturnArrays !== "function" || typeof statement.columns !== "function") {
    return `node:sqlite of Node ${process.version} lacks StatementSync#setReturnArrays and #columns (Node 22.16+ has them)`;
  }
  const probe = new module.DatabaseSync(":memory:", OPEN_OPTIONS);
  const version = probe.prepare("SELECT sqlite_version()");
  version.setReturnArrays(true);
  const sqliteVersion = String(version.get()?.[0]);
  const numberedByPosition = probeNumberedByPosition(probe);
  const runNeedsBigInts = probeRunNeedsBigInts(probe);
  const features = {
    authorizer: typeof probe.setAuthorizer === "function",
    limits: typeof probe.limits === "object" && probe.limits !== null,
    defensive: typeof probe.enableDefensive === "function",
    textKeepsNul: probeTextKeepsNul(probe),
    doubleQuotedStrings: probeDoubleQuotedStrings(probe),
  };
  probe.close();
  const ok = module.constants?.SQLITE_OK ?? 0;
  const deny = module.constants?.SQLITE_DENY ?? 1;
  return {
    name: "node:sqlite",
    sqliteVersion,
    features,
    open(location: string, options: OpenOptions): DriverConnection {
      const db = new module.DatabaseSync(location, OPEN_OPTIONS);
      if (features.defensive) db.enableDefensive!(true);
      if (features.limits) Object.assign(db.limits!, options.limits);
      if (features.authorizer) db.setAuthorizer!(authorizerOf(options.authorizer, ok, deny));
      return new NodeConnection(db, numberedByPosition, runNeedsBigInts);
    },
    describeError(error: unknown) {
      const candidate = error as { code?: unknown; errcode?: unknown; message?: unknown };
      if (candidate?.code !== "ERR_SQLITE_ERROR" || typeof candidate.errcode !== "number") return undefined;
      const code = primaryCodeName(candidate.errcode);
      return { message: String(candidate.message), code, extended: extendedCodeName(candidate.errcode) };
    },
  };
}

function authorizerOf(callback: AuthorizerCallback, ok: number, deny: number) {
  return (
    action: number | string | null,
    param1: number | string | null,
    param2: number | string | null,
    database: number | string | null,
    trigger: number | string | null,
  ): number =>
    callback(action as number, param1 as string | null, param2 as string | null, database as string | null, trigger as string | null)
      ? ok
      : deny;
}

class NodeConnection implements DriverConnection {
  constructor(
    private readonly db: NodeDatabase,
    private readonly numberedByPosition: boolean,
    private readonly runNeedsBigInts: boolean,
  ) {}

  prepare(sql: string, parameterNames: readonly (string | null)[]): DriverStatement {
    const statement = this.db.prepare(sql);
    statement.setReturnArrays(true);
    const columnNames = statement.columns().map((column) => column.name);
    // Integers beyond 2^53 would throw when read; as BigInt they are converted like production converts them.
    // Statements without columns too where run() throws a RangeError when `lastInsertRowid` is beyond 2^53
    // (Node 26 on); before, it reports the nearest number, as Number() of the BigInt would, and reading
    // BigInts would cost each run() two of them.
    if (columnNames.length > 0 || this.runNeedsBigInts) statement.setReadBigInts(true);
    return new NodeStatementAdapter(statement, columnNames, nodeArguments(parameterNames, this.numberedByPosition));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  close(): void {
    // node:sqlite keeps the authorizer as a strong handle that close() does not drop, and each statement
    // keeps its database: the callback (of a Jest test file's realm) would keep that file's whole context.
    this.db.setAuthorizer?.(null);
    this.db.close();
  }
}

class NodeStatementAdapter implements DriverStatement {
  readonly columnNames: readonly string[];

  constructor(
    private readonly statement: NodeStatement,
    columnNames: readonly string[],
    private readonly bind: (values: readonly DriverValue[]) => unknown[],
  ) {
    this.columnNames = columnNames;
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
 * node:sqlite binds an object's keys by name and the other arguments by
 * position, skipping parameters named `:a`, `@a` or `$a`; whether it skips
 * `?NNN` too differs between Node versions (`numberedByPosition` says, from
 * a probe). Production binds every value by its index.
 */
function nodeArguments(names: readonly (string | null)[], numberedByPosition: boolean): (values: readonly DriverValue[]) => unknown[] {
  const byName = (name: string | null): boolean => name !== null && !(numberedByPosition && name.startsWith("?"));
  if (!names.some(byName)) return (values) => values as unknown[];
  return (values) => {
    const named: Record<string, DriverValue> = {};
    const positional: DriverValue[] = [];
    values.forEach((value, i) => {
      const name = names[i] ?? null;
      if (byName(name)) named[name!] = value;
      else positional.push(value);
    });
    return [named, ...positional];
  };
}

/** Whether positional arguments fill `?NNN` parameters (Node 24) or skip them (Node 22). */
function probeNumberedByPosition(db: NodeDatabase): boolean {
  const statement = db.prepare("SELECT ?2");
  statement.setReturnArrays(true);
  try {
    return statement.get(1, 2)?.[0] === 2;
  } catch {
    return false;
  }
}

/** Whether run() throws (Node 26 on) rather than round when the last rowid is beyond 2^53, unless it reads BigInts. */
function probeRunNeedsBigInts(db: NodeDatabase): boolean {
  db.exec("CREATE TABLE probe_rowid (x)");
  try {
    return Number(db.prepare("INSERT INTO probe_rowid (rowid) VALUES (9007199254740993)").run().lastInsertRowid) !== 2 ** 53;
  } catch {
    return true;
  }
}

function probeTextKeepsNul(db: NodeDatabase): boolean {
  const statement = db.prepare("SELECT ?");
  statement.setReturnArrays(true);
  return statement.get("a\u0000b")?.[0] === "a\u0000b";
}

/** `enableDoubleQuotedStringLiterals` (Node 22.10+) took effect. */
function probeDoubleQuotedStrings(db: NodeDatabase): boolean {
  try {
    const statement = db.prepare('SELECT "durabox"');
    statement.setReturnArrays(true);
    return statement.get()?.[0] === "durabox";
  } catch {
    return false;
  }
}
