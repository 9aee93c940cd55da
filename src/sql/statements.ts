import { isSqlSpace, keyword, tokenize, type Token } from "./tokenizer.js";

/**
 * How production walks a multi-statement `exec()`: SQLite prepares the
 * remaining text, which consumes one statement (skipping leading `;` and
 * comments); the text after it, with spaces (not comments) trimmed, is
 * prepared next. A remainder that holds no statement ("SELECT 1;;", or a
 * trailing comment after the last `;`) fails with "SQL code did not contain
 * a statement.".
 *
 * Each segment's text starts where production's prepare call starts, so error
 * offsets match, and ends after the statement's `;` (SQLite reports `near ";"`
 * for statements cut short there).
 */
export interface Segment {
  /** The text handed to prepare: the statement, its leading comments and `;`s, and its own `;`. */
  readonly text: string;
  /** Tokens of `text`, offsets relative to `text`. */
  readonly tokens: readonly Token[];
  /** UTF-16 index in the whole query where this segment starts. */
  readonly start: number;
  /** True when the segment holds only comments and semicolons. */
  readonly empty: boolean;
}

export function splitStatements(query: string): Segment[] {
  const all = tokenize(query);
  const segments: Segment[] = [];
  let position = 0;
  let next = 0;
  for (;;) {
    while (position < query.length && isSqlSpace(query.charCodeAt(position))) position++;
    if (position >= query.length && segments.length > 0) break;
    const first = next;
    let end = query.length;
    let sawStatement = false;
    let trigger: TriggerScan | undefined;
    for (; next < all.length; next++) {
      const token = all[next]!;
      if (token.kind === "semicolon") {
        if (!sawStatement) continue;
        if (trigger !== undefined && !trigger.endsAt()) {
          trigger.semicolon();
          continue;
        }
        end = token.end;
        next++;
        break;
      }
      if (!sawStatement) {
        sawStatement = true;
        trigger = startsTrigger(all, next) ? new TriggerScan() : undefined;
      } else {
        trigger?.word(token);
      }
    }
    const text = query.slice(position, end);
    const tokens = all.slice(first, next).map((token) => ({ ...token, start: token.start - position, end: token.end - position }));
    segments.push({ text, tokens, start: position, empty: !sawStatement });
    position = end;
    if (!sawStatement || position >= query.length) break;
  }
  return segments;
}

/** [EXPLAIN [QUERY PLAN]] CREATE [TEMP|TEMPORARY] TRIGGER: its body holds `;`s up to `; END;`. */
function startsTrigger(tokens: readonly Token[], at: number): boolean {
  let i = at;
  if (keyword(tokens[i]) === "EXPLAIN") {
    i++;
    if (keyword(tokens[i]) === "QUERY" && keyword(tokens[i + 1]) === "PLAN") i += 2;
  }
  if (keyword(tokens[i]) !== "CREATE") return false;
  i++;
  const temp = keyword(tokens[i]);
  if (temp === "TEMP" || temp === "TEMPORARY") i++;
  return keyword(tokens[i]) === "TRIGGER";
}

/** Inside a trigger, only `;` END `;` ends the statement (as sqlite3_complete decides). */
class TriggerScan {
  private afterSemicolon = false;
  private afterSemicolonEnd = false;
  semicolon(): void {
    this.afterSemicolon = true;
    this.afterSemicolonEnd = false;
  }
  word(token: Token): void {
    this.afterSemicolonEnd = this.afterSemicolon && keyword(token) === "END";
    this.afterSemicolon = false;
  }
  endsAt(): boolean {
    return this.afterSemicolonEnd;
  }
}
