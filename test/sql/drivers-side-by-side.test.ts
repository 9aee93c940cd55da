import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeOfMajor } from "../helpers/matrix.js";

/**
 * The same statements on Node 20 (better-sqlite3: no authorizer, no
 * defensive mode, both emulated) and on Node 24 (node:sqlite: both native),
 * through the public runtime: every answer must be the same. Run from Node
 * 20 (the matrix runs test/sql on the other Nodes, where this would compare
 * a Node with itself); uses dist/ (npm run build first).
 */
const script = fileURLToPath(new URL("./side-by-side-statements.mjs", import.meta.url));
const onNode20 = process.versions.node.startsWith("20.");

const STATEMENTS = [
  "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)",
  "INSERT INTO t(b) VALUES ('x')",
  // Table-valued pragmas: production's authorizer sees the PRAGMA SQLite runs for each.
  "SELECT * FROM pragma_table_info('_cf_KV')",
  "SELECT * FROM pragma_index_list('_cf_KV')",
  // _cf_ in any case, as workerd compares it (conformance/tests/sqlite.test.ts).
  "SELECT * FROM pragma_table_info('_CF_KV')",
  "SELECT count(*) AS n FROM _CF_kv",
  "CREATE TABLE _Cf_y (a)",
  "CREATE INDEX _CF_i ON t(b)",
  "SELECT * FROM pragma_database_list",
  "SELECT * FROM pragma_compile_options",
  "SELECT name FROM pragma_function_list",
  "SELECT * FROM pragma_pragma_list",
  "SELECT * FROM pragma_journal_mode",
  "SELECT * FROM PRAGMA_DATABASE_LIST",
  "SELECT * FROM t, pragma_database_list",
  "WITH x AS (SELECT * FROM pragma_compile_options) SELECT * FROM x",
  "SELECT (SELECT count(*) FROM pragma_compile_options) AS n",
  "SELECT * FROM pragma_table_info('t', 'temp')",
  "SELECT * FROM pragma_table_info",
  "SELECT * FROM sqlite_schema s, pragma_table_info(s.name)",
  "SELECT name FROM pragma_table_info('t')",
  "SELECT name FROM PRAGMA_TABLE_INFO('t', 'main')",
  "SELECT * FROM pragma_foreign_keys",
  "SELECT * FROM pragma_page_size('main')",
  "SELECT * FROM pragma_journal_mode('elsewhere')",
  "SELECT name FROM pragma_table_list WHERE name = 't'",
  "CREATE VIEW options AS SELECT * FROM pragma_compile_options",
  "SELECT * FROM options",
  "CREATE VIEW columns AS SELECT name FROM pragma_table_info('t')",
  "SELECT * FROM columns",
  // Shadow tables of FTS5 and R*Tree: SQLite's defensive mode.
  "CREATE VIRTUAL TABLE f USING fts5(body)",
  "INSERT INTO f VALUES ('hello')",
  "CREATE VIRTUAL TABLE r USING rtree(id, a, b)",
  "DROP TABLE f_config",
  "DROP TABLE IF EXISTS main.F_DATA",
  "DROP TABLE r_node",
  "ALTER TABLE f_config RENAME TO z",
  "ALTER TABLE f_idx ADD COLUMN z",
  "CREATE TRIGGER tr AFTER INSERT ON f_config BEGIN SELECT 1; END",
  "DELETE FROM f_config",
  "DELETE FROM f_data WHERE id > 0",
  "UPDATE r_node SET data = NULL",
  "INSERT INTO f_docsize VALUES (5, x'00')",
  "REINDEX f_config",
  "ANALYZE f_config",
  "ANALYZE",
  "SELECT count(*) AS n FROM f_config",
  "SELECT body FROM f WHERE f MATCH 'hello'",
  "PRAGMA quick_check",
];

interface Outcome {
  readonly driverVersion: string;
  readonly results: readonly ({ rows: unknown[] } | { error: string })[];
}

const run = (node: string): Outcome =>
  JSON.parse(execFileSync(node, [script, JSON.stringify(STATEMENTS)], { encoding: "utf8", cwd: path.dirname(script) })) as Outcome;

describe.runIf(onNode20)("the authorizer and defensive mode on Node 20 (emulated) and Node 24 (native)", () => {
  let node20: Outcome;
  let node24: Outcome;
  beforeAll(async () => {
    node20 = run(process.execPath);
    node24 = run(await nodeOfMajor(24));
  }, 600_000);

  it("answer every statement alike", () => {
    expect(node24.driverVersion).toMatch(/^v24\./);
    const table = (outcome: Outcome) => STATEMENTS.map((query, i) => [query, outcome.results[i]]);
    expect(table(node20)).toEqual(table(node24));
  });

  it("refuse what production refuses, with its messages, and leave the FTS5 table whole", () => {
    const answer = (query: string) => node20.results[STATEMENTS.indexOf(query)];
    const refused = STATEMENTS.slice(
      STATEMENTS.indexOf("SELECT * FROM pragma_table_info('_cf_KV')"),
      STATEMENTS.indexOf("SELECT name FROM pragma_table_info('t')"),
    );
    for (const query of [...refused, "SELECT * FROM options"])
      expect(answer(query), query).toEqual({ error: "not authorized: SQLITE_AUTH" });
    expect(answer("DROP TABLE f_config")).toEqual({ error: "table f_config may not be dropped: SQLITE_ERROR" });
    expect(answer("ALTER TABLE f_config RENAME TO z")).toEqual({ error: "table f_config may not be altered: SQLITE_ERROR" });
    expect(answer("DELETE FROM f_config")).toEqual({ error: "table f_config may not be modified: SQLITE_ERROR" });
    expect(answer("SELECT body FROM f WHERE f MATCH 'hello'")).toEqual({ rows: [{ body: "hello" }] });
    expect(answer("PRAGMA quick_check")).toEqual({ rows: [{ quick_check: "ok" }] });
    expect(answer("SELECT name FROM PRAGMA_TABLE_INFO('t', 'main')")).toEqual({ rows: [{ name: "a" }, { name: "b" }] });
  });
});
