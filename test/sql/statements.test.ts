import { describe, expect, it } from "vitest";
import { isAllowedPragma, isAuthorized, Action } from "../../src/sql/authorizer.js";
import { statementFacts } from "../../src/sql/statement-facts.js";
import { splitStatements } from "../../src/sql/statements.js";
import { byteOffset, tokenize } from "../../src/sql/tokenizer.js";

const kinds = (sql: string) => tokenize(sql).map((token) => `${token.kind}:${token.text}`);
const facts = (sql: string) => statementFacts(tokenize(sql));

describe("SQL tokenizer", () => {
  it("finds tokens as SQLite does: quotes, comments, blobs, numbers, variables, operators", () => {
    expect(
      kinds(`SELECT "a""b", [c d], \`e\`, 'it''s', x'0aF1', 1.5e3, .5, 0x1F, ?, ?12, :n, @m, $t::u(v) -- c\n/* d */ ->> || != ;`),
    ).toEqual([
      "word:SELECT",
      'quoted:"a""b"',
      "operator:,",
      "quoted:[c d]",
      "operator:,",
      "quoted:`e`",
      "operator:,",
      "string:'it''s'",
      "operator:,",
      "blob:x'0aF1'",
      "operator:,",
      "number:1.5e3",
      "operator:,",
      "number:.5",
      "operator:,",
      "number:0x1F",
      "operator:,",
      "variable:?",
      "operator:,",
      "variable:?12",
      "operator:,",
      "variable::n",
      "operator:,",
      "variable:@m",
      "operator:,",
      "variable:$t::u(v)",
      "operator:->>",
      "operator:||",
      "operator:!=",
      "semicolon:;",
    ]);
  });

  it("marks what SQLite would call an unrecognized token", () => {
    expect(kinds("'open")).toEqual(["illegal:'open"]);
    expect(kinds("x'abc'")).toEqual(["illegal:x'abc'"]);
    expect(kinds("12ab")).toEqual(["illegal:12ab"]);
    expect(kinds("1 ! 2")).toEqual(["number:1", "illegal:!", "number:2"]);
  });

  it("converts UTF-16 indexes to UTF-8 byte offsets", () => {
    expect(byteOffset("a é 😀 x", 7)).toBe(10);
  });
});

describe("statement splitting", () => {
  const texts = (sql: string) => splitStatements(sql).map((segment) => (segment.empty ? `<empty>${segment.text}` : segment.text));

  it("splits at top-level semicolons, each segment starting where production's prepare starts", () => {
    expect(texts("SELECT 1; SELECT ';' AS x ;\n  SELECT 3")).toEqual(["SELECT 1;", "SELECT ';' AS x ;", "SELECT 3"]);
    expect(texts("SELECT 1; -- c\n SELECT 2;  ")).toEqual(["SELECT 1;", "-- c\n SELECT 2;"]);
    expect(texts(";; SELECT 1")).toEqual([";; SELECT 1"]);
  });

  it("marks a remainder without a statement", () => {
    expect(texts("")).toEqual(["<empty>"]);
    expect(texts("SELECT 1;;")).toEqual(["SELECT 1;", "<empty>;"]);
    expect(texts("SELECT 1; /* end */")).toEqual(["SELECT 1;", "<empty>/* end */"]);
  });

  it("keeps a trigger body in one statement up to `; END;`", () => {
    expect(texts("CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; UPDATE y SET a = 1; END; SELECT 1")).toEqual(
      ["CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; UPDATE y SET a = 1; END;", "SELECT 1"],
    );
  });
});

describe("statement facts", () => {
  it("numbers parameters as sqlite3_bind_parameter_count does", () => {
    expect(facts("SELECT ?, ?, ?").parameterNames).toEqual([null, null, null]);
    expect(facts("SELECT ?5").parameterCount).toBe(5);
    expect(facts("SELECT ?2, ?").parameterNames).toEqual([null, "?2", null]);
    expect(facts("SELECT :a, @b, :a, ?").parameterNames).toEqual([":a", "@b", null]);
  });

  it("knows which statements may write", () => {
    for (const sql of ["SELECT 1", "VALUES (1)", "WITH c AS (SELECT 1) SELECT * FROM c", "PRAGMA table_info(t)", "EXPLAIN DELETE FROM t"]) {
      expect(facts(sql).mayWrite, sql).toBe(false);
    }
    for (const sql of [
      "INSERT INTO t VALUES (1)",
      "WITH c AS (SELECT 1) DELETE FROM t",
      "CREATE TABLE t(a)",
      "PRAGMA foreign_keys = OFF",
      "ANALYZE",
    ]) {
      expect(facts(sql).mayWrite, sql).toBe(true);
    }
  });

  it("skips EXPLAIN [QUERY PLAN] and leading empty statements to find the leading keyword", () => {
    expect(facts("EXPLAIN QUERY PLAN SELECT 1")).toMatchObject({ leading: "SELECT", explain: true, bodyStart: 3 });
    expect(facts(";; begin")).toMatchObject({ leading: "BEGIN", explain: false, bodyStart: 2 });
  });
});

describe("production's authorizer rules", () => {
  it("compares pragma names as written and boolean values by prefix, as production does", () => {
    expect(isAllowedPragma("foreign_keys", "ON")).toBe(true);
    expect(isAllowedPragma("foreign_keys", "onion")).toBe(true);
    expect(isAllowedPragma("foreign_keys", "maybe")).toBe(false);
    expect(isAllowedPragma("FOREIGN_KEYS", "ON")).toBe(false);
    expect(isAllowedPragma("optimize", "65536")).toBe(true);
    expect(isAllowedPragma("optimize", "99999999999")).toBe(false);
    expect(isAllowedPragma("quick_check", "t")).toBe(true);
    expect(isAllowedPragma("quick_check", "_cf_KV")).toBe(false);
    expect(isAllowedPragma("data_version", null)).toBe(true);
    expect(isAllowedPragma("data_version", "1")).toBe(false);
  });

  it("swaps ALTER TABLE's arguments and allows only the main database", () => {
    expect(isAuthorized(Action.ALTER_TABLE, "main", "t", null, null)).toBe(true);
    expect(isAuthorized(Action.ALTER_TABLE, "main", "_cf_KV", null, null)).toBe(false);
    expect(isAuthorized(Action.READ, "t", "a", "other", null)).toBe(false);
    expect(isAuthorized(Action.READ, "t", "a", "temp", null)).toBe(true);
    expect(isAuthorized(Action.INSERT, "t", null, "temp", null)).toBe(false);
    expect(isAuthorized(Action.ANALYZE, "_cf_KV", null, "main", null)).toBe(true);
    expect(() => isAuthorized(Action.TRANSACTION, "BEGIN", null, null, null)).toThrow(/^To execute a transaction/);
  });
});
