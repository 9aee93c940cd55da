import { byteOffset, nameOf, type Token } from "./tokenizer.js";

/**
 * SQLite errors as production reports them: a plain Error whose message is
 * SQLite's text, " at offset N" when SQLite knows where (sqlite3_error_offset),
 * the primary result code, and the extended one where it differs and production
 * names it (workerd util/sqlite.c++ `dbErrorMessage`): `near "bunk": syntax
 * error at offset 7: SQLITE_ERROR`, `UNIQUE constraint failed: t.name:
 * SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)`.
 */
export function sqlError(message: string, code: string, offset?: number, extended?: string): Error {
  const at = offset === undefined ? "" : ` at offset ${offset}`;
  return new Error(`${message}${at}: ${code}${extended === undefined ? "" : ` (extended: ${extended})`}`);
}

export const notAuthorized = (): Error => sqlError("not authorized", "SQLITE_AUTH");

/**
 * A function the authorizer refused, as SQLite words it: the name as written
 * at its first call in the text, and that call's offset (none when the call
 * is not in the text, e.g. inside a view).
 */
export function functionNotAuthorized(name: string, text: string, tokens: readonly Token[]): Error {
  const lower = name.toLowerCase();
  const call = tokens.find((token, i) => token.kind === "word" && token.text.toLowerCase() === lower && tokens[i + 1]?.text === "(");
  const written = call?.text ?? name;
  return sqlError(
    `not authorized to use function: ${written}`,
    "SQLITE_ERROR",
    call === undefined ? undefined : byteOffset(text, call.start),
  );
}

/**
 * Where SQLite would place an error raised while preparing `text`, as a
 * UTF-8 byte offset. The drivers do not expose sqlite3_error_offset, so it
 * is found again from the message: the token a "near" or "unrecognized
 * token" message quotes, or the name a "no such column/function" message
 * names (its first use). `prepares` tells whether a prefix of the text fails
 * with the same message, which finds the right one of several equal tokens.
 */
export function errorOffset(
  message: string,
  text: string,
  tokens: readonly Token[],
  failsWith: (prefix: string) => string | undefined,
): number | undefined {
  const at = (token: Token | undefined): number | undefined => (token === undefined ? undefined : byteOffset(text, token.start));
  const near = /^near "(.*)": syntax error$/s.exec(message);
  if (near) {
    const candidates = tokens.filter((token) => token.text === near[1]);
    for (const token of candidates) {
      if (failsWith(text.slice(0, token.end)) === message) return at(token);
    }
    return undefined;
  }
  const unrecognized = /^unrecognized token: "(.*)"$/s.exec(message);
  if (unrecognized) return at(tokens.find((token) => token.kind === "illegal"));
  const named =
    /^(?:no such column|ambiguous column name|no such function|not authorized to use function): (.+)$/s.exec(message) ??
    /^wrong number of arguments to function (.+)\(\)$/s.exec(message) ??
    /^(?:table|index|view|trigger) (.+) already exists$/s.exec(message);
  if (named) {
    const token = findName(tokens, named[1]!.replace(/^"(.*)"$/s, "$1"), "first");
    // UPDATE's SET targets are looked up without a position.
    if (token !== undefined && isSetTarget(tokens, tokens.indexOf(token))) return undefined;
    return at(token);
  }
  // A nested misuse (`count(count(1))`) is reported at the inner call.
  const misuse = /^misuse of (?:aggregate|window) function (.+)\(\)$/s.exec(message);
  if (misuse) return at(findName(tokens, misuse[1]!, "last"));
  return undefined;
}

/** The first (or last) token naming `name`, which may be qualified (`t.a`). */
function findName(tokens: readonly Token[], name: string, which: "first" | "last"): Token | undefined {
  const parts = name.split(".").map((part) => part.toLowerCase());
  const matches = (i: number): boolean => {
    for (let p = 0; p < parts.length; p++) {
      const token = tokens[i + 2 * p];
      if (token === undefined || token.kind === "string" || nameOf(token)?.toLowerCase() !== parts[p]) return false;
      if (p > 0 && tokens[i + 2 * p - 1]?.text !== ".") return false;
    }
    return true;
  };
  let found: Token | undefined;
  for (let i = 0; i < tokens.length; i++) {
    if (!matches(i)) continue;
    found = tokens[i];
    if (which === "first") break;
  }
  return found;
}

/** `x` in `UPDATE t SET x = …` or `…, x = …`. */
function isSetTarget(tokens: readonly Token[], index: number): boolean {
  const before = tokens[index - 1]?.text.toUpperCase();
  return tokens[0]?.text.toUpperCase() === "UPDATE" && tokens[index + 1]?.text === "=" && (before === "SET" || before === ",");
}
