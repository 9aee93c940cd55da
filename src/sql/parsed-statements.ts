import { LruMap } from "./lru.js";
import { SQL_LIMITS } from "./limits.js";
import { countedKind, type CountedKind } from "./row-counts.js";
import { statementFacts, type StatementFacts } from "./statement-facts.js";
import { textRefusal } from "./statement-checks.js";
import { splitStatements, type Segment } from "./statements.js";
import { byteLength } from "./tokenizer.js";

/**
 * What a SQL text's statements are, from the text alone: split as
 * production's prepare loop splits it, each with its tokens, facts, and the
 * refusals the text decides. Nothing here depends on a database, so a text
 * is parsed once per process (per kind of driver: with or without a native
 * authorizer, which changes what the text must refuse), not once per object
 * that runs it; each database keeps its own prepared statements and
 * schema-dependent verdicts (user-statements.ts).
 */
export interface ParsedStatement {
  /** The segment as split: its text and tokens, and where it starts in the whole text. */
  readonly segment: Segment;
  readonly facts: StatementFacts;
  /** The message of a refusal decided from the text (thrown as a fresh Error each time). */
  readonly refusal: string | undefined;
  /** The SQL from here to the end is longer than SQLite's statement limit. */
  readonly tooLong: boolean;
  /** INSERT/UPDATE/DELETE/REPLACE: rowsWritten counts its changes. */
  readonly dml: "insert" | "update-or-delete" | undefined;
  /** CREATE/DROP/ALTER: cached verdicts of other statements may no longer hold. */
  readonly changesSchema: boolean;
  /** What the statement is, for rowsRead/rowsWritten. */
  readonly counted: CountedKind;
  /** The text has a SELECT (an INSERT … SELECT reads the rows it inserts). */
  readonly hasSelect: boolean;
}

/** Distinct texts kept per kind of driver (each database's own cache holds its 500 most used on top). */
const PARSED_TEXTS = 2000;
const SCHEMA_KEYWORDS = new Set(["CREATE", "DROP", "ALTER"]);
const encoder = new TextEncoder();
const parsed = {
  emulated: new LruMap<string, readonly ParsedStatement[]>(PARSED_TEXTS),
  native: new LruMap<string, readonly ParsedStatement[]>(PARSED_TEXTS),
};

/** The statements of `query`, parsed once per process; `emulateAuthorizer`: the driver has no authorizer (better-sqlite3). */
export function parseStatements(query: string, emulateAuthorizer: boolean): readonly ParsedStatement[] {
  const cache = emulateAuthorizer ? parsed.emulated : parsed.native;
  let statements = cache.get(query);
  if (statements === undefined) {
    statements = parseAnew(query, emulateAuthorizer);
    cache.set(query, statements);
  }
  return statements;
}

function parseAnew(query: string, emulateAuthorizer: boolean): readonly ParsedStatement[] {
  const totalBytes = byteLength(query);
  return Object.freeze(
    splitStatements(query).map((segment): ParsedStatement => {
      const facts = statementFacts(segment.tokens);
      const leading = facts.leading;
      return {
        segment,
        facts,
        refusal: segment.empty ? undefined : textRefusal(segment.tokens, facts, emulateAuthorizer)?.message,
        // Production prepares the whole remaining text, so the limit applies to it.
        tooLong: totalBytes - encoder.encode(query.slice(0, segment.start)).byteLength > SQL_LIMITS.sqlLength,
        dml:
          leading === "INSERT" || leading === "REPLACE" || (leading === "WITH" && facts.mayWrite)
            ? "insert"
            : leading === "UPDATE" || leading === "DELETE"
              ? "update-or-delete"
              : undefined,
        changesSchema: SCHEMA_KEYWORDS.has(leading ?? ""),
        counted: countedKind(segment.tokens, facts.bodyStart),
        hasSelect: segment.tokens.some((token) => token.kind === "word" && token.text.toUpperCase() === "SELECT"),
      };
    }),
  );
}
