import type { SqliteDatabase } from "./database.js";
import { keyword, type Token } from "./tokenizer.js";

/**
 * Whether a SELECT can return at most one row: a lookup of one row by its
 * whole primary key, or a SELECT without FROM. Such a statement is run with
 * the driver's single-step call instead of an iterator, which costs about
 * half; the cursor behaves the same (the first row is stepped at exec()
 * either way, and there is no second one to step lazily).
 *
 * Decided from SQLite's own plan (EXPLAIN QUERY PLAN), once per prepared
 * statement, and only for plans with one step; the text is checked for what
 * the plan does not show (`k IN (…)` plans like `k = ?`).
 */
const MANY_ROWS_WORDS = new Set(["IN", "OR", "UNION", "INTERSECT", "EXCEPT", "JOIN", "GROUP", "OVER", "RECURSIVE", "VALUES"]);

export function returnsAtMostOneRow(
  db: SqliteDatabase,
  text: string,
  tokens: readonly Token[],
  bodyStart: number,
  parameterNames: readonly (string | null)[],
): boolean {
  if (keyword(tokens[bodyStart]) !== "SELECT") return false;
  if (tokens.some((token, i) => i >= bodyStart && MANY_ROWS_WORDS.has(keyword(token) ?? ""))) return false;
  const body = text.slice(tokens[bodyStart]!.start);
  let plan: string[];
  try {
    plan = db.trusted(() => {
      const statement = db.prepare(`EXPLAIN QUERY PLAN ${body}`, parameterNames);
      const rows: string[] = [];
      const iterator = statement.iterate(parameterNames.map(() => null));
      for (let step = iterator.next(); !step.done; step = iterator.next()) rows.push(String(step.value[3]));
      return rows;
    });
  } catch {
    // (A statement at the length limit is too long with the prefix: it is simply run the general way.)
    return false;
  }
  if (plan.length !== 1) return false;
  const step = plan[0]!;
  if (step === "SCAN CONSTANT ROW" || /^SEARCH \S+ USING INTEGER PRIMARY KEY \(rowid=\?\)$/.test(step)) return true;
  const byKey = /^SEARCH (\S+) USING PRIMARY KEY \((.*)\)$/.exec(step);
  if (byKey === null) return false;
  const terms = byKey[2]!.split(" AND ");
  if (!terms.every((term) => /^\S+=\?$/.test(term))) return false;
  const keyColumns = db.query("SELECT count(*) FROM pragma_table_info(?) WHERE pk > 0", [byKey[1]!])[0]?.[0];
  return Number(keyColumns) === terms.length;
}
