import { nameOf, type Token } from "./tokenizer.js";

/**
 * Double-quoted string literals for a driver whose SQLite refuses them
 * (better-sqlite3 is built with SQLITE_DQS=0 and has no switch). SQLite's
 * own rule (resolve.c): a double-quoted name that matches no column is read
 * as a string. Preparing tells which: "no such column" for a double-quoted
 * name; that token is rewritten as a single-quoted string and the statement
 * prepared again, one name at a time, as SQLite would convert each.
 */
export interface RewrittenText {
  readonly text: string;
  readonly tokens: readonly Token[];
}

/** SQLite 3.46+ adds a hint to the message; earlier ones name the column alone. */
const NO_SUCH_COLUMN = /^no such column: (.+?)(?: - should this be a string literal in single-quotes\?)?$/s;

/** The text with the double-quoted name the prepare error names made a string, or undefined if it names none. */
export function doubleQuotedAsString(message: string, text: string, tokens: readonly Token[]): RewrittenText | undefined {
  const match = NO_SUCH_COLUMN.exec(message);
  if (match === null) return undefined;
  const named = match[1]!;
  const name = named.startsWith('"') && named.endsWith('"') ? named.slice(1, -1).replaceAll('""', '"') : named;
  const index = tokens.findIndex(
    (token, i) =>
      token.kind === "quoted" &&
      token.text.startsWith('"') &&
      nameOf(token) === name &&
      // `t."x"` is a qualified column, never a string.
      tokens[i - 1]?.text !== "." &&
      tokens[i + 1]?.text !== ".",
  );
  if (index < 0) return undefined;
  const token = tokens[index]!;
  const literal = `'${name.replaceAll("'", "''")}'`;
  const shift = literal.length - token.text.length;
  const rewritten: Token = { kind: "string", text: literal, start: token.start, end: token.start + literal.length };
  return {
    text: text.slice(0, token.start) + literal + text.slice(token.end),
    tokens: tokens.map((other, i) =>
      i < index ? other : i === index ? rewritten : { ...other, start: other.start + shift, end: other.end + shift },
    ),
  };
}
