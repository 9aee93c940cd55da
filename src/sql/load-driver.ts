import { nodeRequire } from "../base/node-require.js";
import { betterSqlite3Driver, type BetterSqlite3Constructor } from "./driver-better-sqlite3.js";
import { nodeSqliteDriver } from "./driver-node-sqlite.js";
import { sqliteUnavailable, type DriverName, type SqliteDriver } from "./driver.js";

/**
 * The SQLite driver for this process: node:sqlite where this Node has a
 * usable one, else better-sqlite3 if installed; a DuraboxError naming both
 * fixes otherwise. `only` restricts the choice (tests run both drivers).
 */
export function loadSqliteDriver(only?: DriverName): SqliteDriver {
  const reasons: string[] = [];
  for (const name of only === undefined ? (["node:sqlite", "better-sqlite3"] as const) : [only]) {
    const found = attempts.get(name) ?? attempt(name);
    attempts.set(name, found);
    if (typeof found !== "string") return found;
    reasons.push(found);
  }
  throw sqliteUnavailable(reasons);
}

/** Each driver is loaded once per process; a failure is remembered as its reason. */
const attempts = new Map<DriverName, SqliteDriver | string>();

function attempt(name: DriverName): SqliteDriver | string {
  try {
    if (name === "node:sqlite") {
      const module = loadNodeSqlite();
      return module === undefined
        ? `Node ${process.version} has no node:sqlite`
        : nodeSqliteDriver(module as Parameters<typeof nodeSqliteDriver>[0]);
    }
    return betterSqlite3Driver(nodeRequire("better-sqlite3") as BetterSqlite3Constructor);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return name === "better-sqlite3" ? `better-sqlite3 could not be loaded (${message})` : `node:sqlite could not be loaded (${message})`;
  }
}

/**
 * Node 22 prints "ExperimentalWarning: SQLite is an experimental feature"
 * when node:sqlite loads; a test runner's output is no place for a warning
 * about a choice the user did not make, so that one warning is dropped.
 */
function loadNodeSqlite(): object | undefined {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => object | undefined }).getBuiltinModule;
  if (getBuiltinModule === undefined) return undefined;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    if (text.includes("SQLite is an experimental feature")) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return getBuiltinModule.call(process, "node:sqlite");
  } finally {
    process.emitWarning = emitWarning;
  }
}
