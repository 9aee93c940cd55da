/**
 * A tokenizer following SQLite's own rules (tokenize.c), so statement
 * boundaries, parameters, keywords and names are found where SQLite finds
 * them. It never throws: text SQLite would refuse becomes an `illegal` token,
 * and the driver reports SQLite's own message for it.
 *
 * Offsets are UTF-16 indexes into the source; `byteOffset` converts one to
 * the UTF-8 byte offset SQLite reports in "at offset N".
 */
export type TokenKind =
  | "word" // keyword or bare identifier
  | "quoted" // "name", `name` or [name]
  | "string" // 'text'
  | "blob" // x'0A'
  | "number"
  | "variable" // ?, ?NNN, :name, @name, $name
  | "operator" // punctuation, including ( ) , .
  | "semicolon"
  | "illegal";

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const enum Char {
  Tab = 9,
  NewLine = 10,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Hash = 35,
  Dollar = 36,
  Percent = 37,
  Ampersand = 38,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Semicolon = 59,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Question = 63,
  At = 64,
  OpenBracket = 91,
  CloseBracket = 93,
  Underscore = 95,
  Backtick = 96,
  Pipe = 124,
  Tilde = 126,
}

/** SQLite's isspace: space, \t, \n, \v, \f, \r. */
export function isSqlSpace(code: number): boolean {
  return code === Char.Space || (code >= Char.Tab && code <= Char.CarriageReturn);
}

function isDigit(code: number): boolean {
  return code >= Char.Zero && code <= Char.Nine;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Identifier characters: ASCII letters, digits, `_`, `$`, and every non-ASCII character. */
function isIdChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    isDigit(code) ||
    code === Char.Underscore ||
    code === Char.Dollar ||
    code >= 0x80
  );
}

function isIdStart(code: number): boolean {
  return isIdChar(code) && !isDigit(code) && code !== Char.Dollar;
}

/** The tokens of `sql`, comments and spaces left out. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const length = sql.length;
  let at = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: sql.slice(start, end), start, end });
  };
  while (at < length) {
    const start = at;
    const code = sql.charCodeAt(at);
    if (isSqlSpace(code)) {
      at++;
      continue;
    }
    if (code === Char.Minus && sql.charCodeAt(at + 1) === Char.Minus) {
      at = sql.indexOf("\n", at + 2);
      if (at === -1) at = length;
      continue;
    }
    if (code === Char.Slash && sql.charCodeAt(at + 1) === Char.Star) {
      const close = sql.indexOf("*/", at + 2);
      at = close === -1 ? length : close + 2;
      continue;
    }
    if (code === Char.Quote || code === Char.DoubleQuote || code === Char.Backtick) {
      // Quotes end at the next lone quote; a doubled quote is an escaped one.
      at++;
      let closed = false;
      while (at < length) {
        if (sql.charCodeAt(at) === code) {
          if (sql.charCodeAt(at + 1) === code) {
            at += 2;
            continue;
          }
          at++;
          closed = true;
          break;
        }
        at++;
      }
      push(closed ? (code === Char.Quote ? "string" : "quoted") : "illegal", start, at);
      continue;
    }
    if (code === Char.OpenBracket) {
      const close = sql.indexOf("]", at + 1);
      at = close === -1 ? length : close + 1;
      push(close === -1 ? "illegal" : "quoted", start, at);
      continue;
    }
    if ((code === 120 || code === 88) && sql.charCodeAt(at + 1) === Char.Quote) {
      // x'hex': an even number of hex digits, else SQLite calls the whole thing unrecognized.
      at += 2;
      let valid = true;
      while (at < length && sql.charCodeAt(at) !== Char.Quote) {
        if (!isHexDigit(sql.charCodeAt(at))) valid = false;
        at++;
      }
      if (at < length) at++;
      else valid = false;
      if ((at - start - 3) % 2 !== 0) valid = false;
      push(valid ? "blob" : "illegal", start, at);
      continue;
    }
    if (isDigit(code) || (code === Char.Dot && isDigit(sql.charCodeAt(at + 1)))) {
      at = scanNumber(sql, at);
      // "123abc" is one unrecognized token in SQLite.
      if (at < length && isIdChar(sql.charCodeAt(at))) {
        while (at < length && isIdChar(sql.charCodeAt(at))) at++;
        push("illegal", start, at);
      } else {
        push("number", start, at);
      }
      continue;
    }
    if (isIdStart(code)) {
      while (at < length && isIdChar(sql.charCodeAt(at))) at++;
      push("word", start, at);
      continue;
    }
    if (code === Char.Question) {
      at++;
      while (at < length && isDigit(sql.charCodeAt(at))) at++;
      push("variable", start, at);
      continue;
    }
    if (code === Char.Colon || code === Char.At || code === Char.Dollar || code === Char.Hash) {
      at = scanNamedVariable(sql, at);
      push(at - start > 1 ? "variable" : "illegal", start, at);
      continue;
    }
    at = scanOperator(sql, at);
    if (at === start) {
      at++;
      push("illegal", start, at);
    } else {
      push(code === Char.Semicolon ? "semicolon" : "operator", start, at);
    }
  }
  return tokens;
}

function scanNumber(sql: string, at: number): number {
  const length = sql.length;
  if (sql.charCodeAt(at) === Char.Zero && (sql.charCodeAt(at + 1) | 0x20) === 120 && isHexDigit(sql.charCodeAt(at + 2))) {
    at += 2;
    while (at < length && (isHexDigit(sql.charCodeAt(at)) || sql.charCodeAt(at) === Char.Underscore)) at++;
    return at;
  }
  const digits = (): void => {
    while (at < length && (isDigit(sql.charCodeAt(at)) || sql.charCodeAt(at) === Char.Underscore)) at++;
  };
  digits();
  if (sql.charCodeAt(at) === Char.Dot) {
    at++;
    digits();
  }
  const e = sql.charCodeAt(at) | 0x20;
  if (e === 101) {
    const sign = sql.charCodeAt(at + 1);
    const next = sign === Char.Plus || sign === Char.Minus ? at + 2 : at + 1;
    if (isDigit(sql.charCodeAt(next))) {
      at = next;
      digits();
    }
  }
  return at;
}

function scanNamedVariable(sql: string, at: number): number {
  const length = sql.length;
  const prefix = sql.charCodeAt(at);
  at++;
  for (;;) {
    while (at < length && isIdChar(sql.charCodeAt(at))) at++;
    // TCL-style "$a::b" and "$a(x)" are part of one variable name.
    if (prefix === Char.Dollar && sql.startsWith("::", at)) {
      at += 2;
      continue;
    }
    if (prefix === Char.Dollar && sql.charCodeAt(at) === Char.OpenParen) {
      const close = sql.indexOf(")", at);
      if (close !== -1) at = close + 1;
    }
    return at;
  }
}

const THREE_CHAR_OPERATORS = ["->>"];
const TWO_CHAR_OPERATORS = ["<=", ">=", "<>", "!=", "==", "<<", ">>", "||", "->"];
const ONE_CHAR_OPERATORS = new Set([
  Char.OpenParen,
  Char.CloseParen,
  Char.Semicolon,
  Char.Plus,
  Char.Minus,
  Char.Star,
  Char.Slash,
  Char.Percent,
  Char.Equals,
  Char.Less,
  Char.Greater,
  Char.Comma,
  Char.Ampersand,
  Char.Tilde,
  Char.Pipe,
  Char.Dot,
]);

function scanOperator(sql: string, at: number): number {
  for (const op of THREE_CHAR_OPERATORS) if (sql.startsWith(op, at)) return at + 3;
  for (const op of TWO_CHAR_OPERATORS) if (sql.startsWith(op, at)) return at + 2;
  const code = sql.charCodeAt(at);
  // A lone "!" is not an operator in SQLite.
  if (code === Char.Bang) return at;
  return ONE_CHAR_OPERATORS.has(code) ? at + 1 : at;
}

/** A word token in upper case, or undefined for any other token. */
export function keyword(token: Token | undefined): string | undefined {
  return token?.kind === "word" ? token.text.toUpperCase() : undefined;
}

/** The name a word or quoted token stands for, quotes removed, as SQLite reads it. */
export function nameOf(token: Token | undefined): string | undefined {
  if (token === undefined) return undefined;
  if (token.kind === "word") return token.text;
  if (token.kind === "quoted" || token.kind === "string") {
    const text = token.text;
    const quote = text[0]!;
    if (quote === "[") return text.slice(1, -1);
    return text.slice(1, -1).replaceAll(quote + quote, quote);
  }
  return undefined;
}

/** The UTF-8 byte offset of UTF-16 index `index` in `text`. */
export function byteOffset(text: string, index: number): number {
  let bytes = 0;
  for (let i = 0; i < index; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < index) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const encoder = new TextEncoder();

/** The UTF-8 length of `text` in bytes. */
export function byteLength(text: string): number {
  // ASCII-only text (the common case) needs no encoding.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : encoder.encode(text).byteLength;
}
