import { ALLOWED_PRAGMAS } from "./allow-lists.js";
import { Action, isAuthorized } from "./authorizer.js";
import type { SqliteDatabase } from "./database.js";
import type { DriverValue, SqliteDriver } from "./driver.js";
import { notAuthorized } from "./sql-errors.js";
import { keyword, nameOf, tokenize, type Token } from "./tokenizer.js";

/**
 * Table-valued pragmas (`SELECT * FROM pragma_table_info('t')`) where the
 * driver has no authorizer. SQLite runs such a call as the statement
 * `PRAGMA [schema.]name = arg` when the outer statement first steps, and
 * production's authorizer checks that PRAGMA like a written one: the
 * canonical (lower-case) name, the argument and the schema. Here the same
 * check runs from the text: literal arguments when the statement is
 * prepared, parameters when they are bound. An argument only known while
 * the statement runs (a column, an expression, a `WHERE arg = ...`
 * constraint) cannot be checked, so a pragma whose verdict depends on its
 * argument is refused then (production refuses only the rows that reach a
 * refused value); views are read through, as SQLite expands them.
 */
export type PragmaArgument =
  | { readonly kind: "value"; readonly value: string | null }
  | { readonly kind: "parameter"; readonly index: number }
  | { readonly kind: "dynamic" };

export interface PragmaCall {
  /** The pragma's name, lower case, without `pragma_`. */
  readonly pragma: string;
  /** The table name as written (a schema object of that name wins over the pragma). */
  readonly table: string;
  readonly arguments: readonly PragmaArgument[];
  /** `arg`/`schema` appear elsewhere in the statement: a constraint may fill an argument not given in the call. */
  readonly constrained: boolean;
}

const FROM_KEYWORDS = new Set(["FROM", "JOIN"]);
const OTHER_CLAUSES = new Set([
  "SELECT",
  "WHERE",
  "ON",
  "USING",
  "GROUP",
  "HAVING",
  "ORDER",
  "LIMIT",
  "WINDOW",
  "VALUES",
  "SET",
  "RETURNING",
  "UNION",
  "INTERSECT",
  "EXCEPT",
]);
const PREFIX = "pragma_";

/** The table-valued pragma calls in a statement's tokens (tables named `pragma_*` in a FROM clause). */
export function pragmaCalls(tokens: readonly Token[], parameterOfToken: (index: number) => number | undefined): PragmaCall[] {
  if (!tokens.some((token) => token.text.toLowerCase().includes(PREFIX))) return [];
  const constrained = tokens.some((token) => keyword(token) === "ARG" || keyword(token) === "SCHEMA");
  const calls: PragmaCall[] = [];
  const clauses: boolean[] = [false]; // per parenthesis depth: inside a FROM clause
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.text === "(") clauses.push(false);
    else if (token.text === ")") {
      if (clauses.length > 1) clauses.pop();
    } else if (FROM_KEYWORDS.has(keyword(token) ?? "")) clauses[clauses.length - 1] = true;
    else if (OTHER_CLAUSES.has(keyword(token) ?? "")) clauses[clauses.length - 1] = false;
    else if (clauses.at(-1) === true && (token.kind === "word" || token.kind === "quoted")) {
      const table = nameOf(token)!;
      const before = tokens[i - 1]?.text;
      const isTable = before === "," || before === "." || FROM_KEYWORDS.has(keyword(tokens[i - 1]) ?? "");
      if (!isTable || !table.toLowerCase().startsWith(PREFIX) || tokens[i + 1]?.text === ".") continue;
      const args = tokens[i + 1]?.text === "(" ? callArguments(tokens, i + 2, parameterOfToken) : [];
      calls.push({ pragma: table.slice(PREFIX.length).toLowerCase(), table, arguments: args, constrained });
    }
  }
  return calls;
}

/** The arguments from `at` to the closing parenthesis, as SQLite hands them to the pragma (text, or NULL). */
function callArguments(tokens: readonly Token[], at: number, parameterOfToken: (index: number) => number | undefined): PragmaArgument[] {
  const args: PragmaArgument[] = [];
  let current: number[] = [];
  let depth = 0;
  for (let i = at; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (depth === 0 && (text === "," || text === ")")) {
      if (current.length > 0) args.push(argumentOf(tokens, current, parameterOfToken));
      current = [];
      if (text === ")") break;
      continue;
    }
    if (text === "(") depth++;
    else if (text === ")") depth--;
    current.push(i);
  }
  return args;
}

function argumentOf(
  tokens: readonly Token[],
  indexes: readonly number[],
  parameterOfToken: (index: number) => number | undefined,
): PragmaArgument {
  const [first, second] = indexes.map((i) => tokens[i]!);
  if (indexes.length === 1) {
    if (first!.kind === "string") return { kind: "value", value: nameOf(first)! };
    if (first!.kind === "number") return { kind: "value", value: first!.text };
    if (keyword(first) === "NULL") return { kind: "value", value: null };
    const parameter = first!.kind === "variable" ? parameterOfToken(indexes[0]!) : undefined;
    if (parameter !== undefined) return { kind: "parameter", index: parameter };
  } else if (indexes.length === 2 && (first!.text === "-" || first!.text === "+") && second!.kind === "number") {
    return { kind: "value", value: (first!.text === "-" ? "-" : "") + second!.text };
  }
  return { kind: "dynamic" };
}

/** What is left to check once the statement prepared: nothing, or the values bound to parameters. */
export type BoundPragmaCheck = (values: readonly DriverValue[]) => Error | undefined;

/**
 * Refuses (throws) the calls production's authorizer refuses whatever is
 * bound, and returns the check of those that depend on a bound value.
 * `calls` are the statement's own; views it names are read for theirs.
 */
export function checkPragmaCalls(db: SqliteDatabase, tokens: readonly Token[], calls: readonly PragmaCall[]): BoundPragmaCheck | undefined {
  const all = [...calls, ...callsInViews(db, tokens)];
  const bound: { call: PragmaCall; hidden: readonly string[] }[] = [];
  for (const call of all) {
    if (db.queryOne("SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE AND type IN ('table', 'view')", [call.table])) continue;
    const hidden = hiddenColumns(db, call.pragma);
    if (call.arguments.some((argument) => argument.kind === "parameter")) bound.push({ call, hidden });
    else if (!authorized(call, hidden, [])) throw notAuthorized();
  }
  if (bound.length === 0) return undefined;
  return (values) => (bound.every(({ call, hidden }) => authorized(call, hidden, values)) ? undefined : notAuthorized());
}

/** Whether production's authorizer lets the PRAGMA SQLite makes of `call` run. */
function authorized(call: PragmaCall, hidden: readonly string[], values: readonly DriverValue[]): boolean {
  let value: string | null = null;
  let schema: string | null = null;
  let unknown = false;
  hidden.forEach((column, i) => {
    const argument = call.arguments[i];
    const text = argument === undefined ? (call.constrained ? undefined : null) : textOf(argument, values);
    if (text === undefined) unknown = true;
    else if (column === "arg") value = text;
    else if (column === "schema") schema = text;
  });
  // A value known only while running passes only where any value would.
  if (unknown) return ALLOWED_PRAGMAS.get(call.pragma) === "any";
  // SQLite names the schema as it knows it ("main", "temp"); another name fails as "unknown database" first.
  const database = (schema as string | null)?.toLowerCase() ?? null;
  if (database !== null && database !== "main" && database !== "temp") return true;
  return isAuthorized(Action.PRAGMA, call.pragma, value, database, null);
}

/** The argument as the text SQLite puts in the PRAGMA (%Q of sqlite3_value_text), undefined when not known. */
function textOf(argument: PragmaArgument, values: readonly DriverValue[]): string | null | undefined {
  if (argument.kind === "value") return argument.value;
  if (argument.kind === "dynamic") return undefined;
  const value = values[argument.index];
  if (value === undefined || value === null) return null;
  // Numbers are bound as REAL, which SQLite writes with a decimal point.
  if (typeof value === "number") return Number.isInteger(value) ? `${value}.0` : String(value);
  if (typeof value === "bigint") return String(value);
  return typeof value === "string" ? value : new TextDecoder().decode(value);
}

/** The pragma calls of the views a statement names (and of the views those name). */
function callsInViews(db: SqliteDatabase, tokens: readonly Token[]): PragmaCall[] {
  const views = new Map<string, string>();
  for (const [name, sql] of db.query("SELECT name, sql FROM sqlite_schema WHERE type = 'view' AND sql LIKE '%pragma%'")) {
    views.set(String(name).toLowerCase(), String(sql));
  }
  if (views.size === 0) return [];
  const calls: PragmaCall[] = [];
  const seen = new Set<string>();
  const visit = (from: readonly Token[]): void => {
    for (const token of from) {
      const name = token.kind === "word" || token.kind === "quoted" ? nameOf(token)!.toLowerCase() : undefined;
      const sql = name === undefined || seen.has(name) ? undefined : views.get(name);
      if (sql === undefined) continue;
      seen.add(name!);
      const body = tokenize(sql);
      calls.push(...pragmaCalls(body, () => undefined));
      visit(body);
    }
  };
  visit(tokens);
  return calls;
}

/** Per driver, the hidden columns (`arg`, `schema`) of each table-valued pragma, in argument order. */
const hiddenByDriver = new WeakMap<SqliteDriver, Map<string, readonly string[]>>();

function hiddenColumns(db: SqliteDatabase, pragma: string): readonly string[] {
  let known = hiddenByDriver.get(db.driver);
  if (known === undefined) hiddenByDriver.set(db.driver, (known = new Map()));
  let hidden = known.get(pragma);
  if (hidden === undefined) {
    hidden = db.query("SELECT name FROM pragma_table_xinfo(?) WHERE hidden", [PREFIX + pragma]).map(([name]) => String(name));
    known.set(pragma, hidden);
  }
  return hidden;
}
