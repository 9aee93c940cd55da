import { ALLOWED_FUNCTIONS } from "./allow-lists.js";
import { isAllowedName } from "./authorizer.js";
import type { SqliteDatabase } from "./database.js";
import { functionNotAuthorized, notAuthorized, sqlError } from "./sql-errors.js";
import type { Token } from "./tokenizer.js";
import { virtualTables } from "./virtual-tables.js";

/**
 * Where the driver has no authorizer (or no defensive mode), the compiled
 * program tells what a statement will touch: EXPLAIN lists every function it
 * calls (views expanded) and every b-tree it opens, by root page. From that:
 *
 * - functions outside production's allow-list: "not authorized to use function: X";
 * - reading a reserved `_cf_` table: "access to T.C is prohibited" (C the first
 *   column read; "not authorized" when none is, as for count(*)); writing,
 *   clearing or dropping one: "not authorized";
 * - without defensive mode, writing a virtual table's shadow table:
 *   "table X may not be modified".
 *
 * Statements a trigger runs are not in the program; statement-checks.ts
 * checks trigger bodies when they are created.
 */
export interface ExplainCheckOptions {
  readonly authorizer: boolean;
  readonly defensive: boolean;
  /** The statement's leading keyword: only INSERT/UPDATE/DELETE (and WITH) are refused for writing a shadow table. */
  readonly leading: string | undefined;
  /** The whole statement, where a refused function's offset is found. */
  readonly statement: { readonly text: string; readonly tokens: readonly Token[] };
}

const FUNCTION_OPCODES = new Set(["Function", "PureFunc", "AggStep", "AggStep1", "AggInverse", "AggValue", "AggFinal"]);
/** Called by code SQLite generates itself (ANALYZE), never through the authorizer. */
const GENERATED_CALLS = new Set(["stat_init", "stat_push", "stat_get"]);
const OPEN_OPCODES = new Set(["OpenRead", "OpenWrite", "ReopenIdx"]);
/** What defensive mode checks for writing a shadow table (REINDEX, ANALYZE and CREATE INDEX write its indexes freely). */
const DML = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE", "WITH"]);
/** Statements that touch the runtime's tables as SQLite's own maintenance, authorized by their own action alone. */
const REBUILDS = new Set(["ANALYZE", "REINDEX"]);

interface SchemaFacts {
  /** Root page -> the table it stores (an index's root maps to its table). */
  readonly tableOfRoot: Map<number, string>;
  /** Lower-case names of virtual tables' shadow tables. */
  readonly shadowTables: Set<string>;
}

export function explainRefusal(
  db: SqliteDatabase,
  body: string,
  parameterNames: readonly (string | null)[],
  options: ExplainCheckOptions,
): Error | undefined {
  const program = explain(db, body, parameterNames);
  const schema = schemaFacts(db);
  const cursors = new Map<number, string>();
  let reserved: { table: string; column: number | undefined; write: boolean } | undefined;
  const touchReserved = (table: string, write: boolean): void => {
    reserved ??= { table, column: undefined, write: false };
    if (write) reserved.write = true;
  };
  for (const [opcode, p1, p2, p3, p4] of program) {
    if (FUNCTION_OPCODES.has(opcode)) {
      const name = typeof p4 === "string" ? p4.slice(0, p4.lastIndexOf("(")) : "";
      if (!options.authorizer && name !== "" && !ALLOWED_FUNCTIONS.has(name) && !GENERATED_CALLS.has(name))
        return functionNotAuthorized(name, options.statement.text, options.statement.tokens);
    } else if (OPEN_OPCODES.has(opcode)) {
      const table = p3 === 0 ? schema.tableOfRoot.get(p2) : undefined;
      if (table === undefined) continue;
      cursors.set(p1, table);
      const write = opcode === "OpenWrite";
      if (write && !options.defensive && DML.has(options.leading ?? "") && schema.shadowTables.has(table.toLowerCase())) {
        return sqlError(`table ${table} may not be modified`, "SQLITE_ERROR");
      }
      if (!isAllowedName(table)) touchReserved(table, write);
    } else if (opcode === "Column") {
      const table = cursors.get(p1);
      if (reserved !== undefined && table === reserved.table && reserved.column === undefined) reserved.column = p2;
    } else if (opcode === "Clear" || opcode === "Destroy") {
      // Clear: p1 root, p2 database. Destroy: p1 root, p3 database.
      const database = opcode === "Clear" ? p2 : p3;
      const table = database === 0 ? schema.tableOfRoot.get(p1) : undefined;
      // DELETE without WHERE clears the table instead of opening it for writing.
      if (
        table !== undefined &&
        opcode === "Clear" &&
        !options.defensive &&
        DML.has(options.leading ?? "") &&
        schema.shadowTables.has(table.toLowerCase())
      ) {
        return sqlError(`table ${table} may not be modified`, "SQLITE_ERROR");
      }
      if (table !== undefined && !isAllowedName(table)) touchReserved(table, true);
    }
  }
  // ANALYZE reads every table and REINDEX rebuilds every index, the runtime's too, with no READ or write
  // authorization (production allows both: conformance/tests/sqlite.test.ts shows REINDEX _cf_KV on workerd).
  if (reserved === undefined || options.authorizer || REBUILDS.has(options.leading ?? "")) return undefined;
  if (reserved.write || reserved.column === undefined) return notAuthorized();
  const column = columnName(db, reserved.table, reserved.column);
  return column === undefined ? notAuthorized() : sqlError(`access to ${reserved.table}.${column} is prohibited`, "SQLITE_AUTH");
}

type Instruction = [opcode: string, p1: number, p2: number, p3: number, p4: unknown];

function explain(db: SqliteDatabase, body: string, parameterNames: readonly (string | null)[]): Instruction[] {
  return db.trusted(() => {
    const statement = db.prepare(`EXPLAIN ${body}`, parameterNames);
    const iterator = statement.iterate(parameterNames.map(() => null));
    const program: Instruction[] = [];
    for (let step = iterator.next(); !step.done; step = iterator.next()) {
      const [, opcode, p1, p2, p3, p4] = step.value;
      program.push([String(opcode), Number(p1), Number(p2), Number(p3), p4]);
    }
    return program;
  });
}

function schemaFacts(db: SqliteDatabase): SchemaFacts {
  const tableOfRoot = new Map<number, string>();
  for (const [table, root] of db.query("SELECT tbl_name, rootpage FROM sqlite_schema")) {
    if (Number(root) > 0) tableOfRoot.set(Number(root), String(table));
  }
  return { tableOfRoot, shadowTables: virtualTables(db).shadows };
}

function columnName(db: SqliteDatabase, table: string, index: number): string | undefined {
  const columns = db.query(`SELECT name FROM pragma_table_info(?)`, [table]);
  const name = columns[index]?.[0];
  return name === undefined ? undefined : String(name);
}
