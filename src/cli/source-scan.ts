// Just enough of JavaScript/TypeScript's lexical grammar for `durabox init` to
// rewrite a config file in place: which characters are code (not in a string,
// comment, template text or regular expression), brackets matched over code
// only, and an object literal's top-level properties. The rest of the text is
// copied as written, so a config keeps its comments, layout and expressions.

/** A config's text with, for each character, whether it is code. */
export interface ScannedSource {
  readonly text: string;
  readonly code: readonly boolean[];
  /** Whether each character is in a comment (strings are neither code nor comment). */
  readonly comment: readonly boolean[];
}

/** A property of an object literal: `key: value`, with the offsets of each part (end exclusive). */
export interface LiteralProperty {
  /** The key as written without quotes; undefined for a spread, a method or a shorthand. */
  readonly key: string | undefined;
  readonly start: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** After the property's comma (or `valueEnd` for the last one). */
  readonly end: number;
}

const OPEN = "([{";
const CLOSE = ")]}";
/** After one of these (or at the start), a `/` begins a regular expression, not a division. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"]);

export function scanSource(text: string): ScannedSource {
  const code: boolean[] = Array.from({ length: text.length }, () => true);
  const comment: boolean[] = Array.from({ length: text.length }, () => false);
  const mark = (from: number, to: number, isComment = false): void => {
    for (let i = from; i < Math.min(to, text.length); i++) {
      code[i] = false;
      comment[i] = isComment;
    }
  };
  // Template literals nest through `${ ... }`: each entry counts the open braces of one substitution.
  const substitutions: number[] = [];
  let previous = ""; // the last code character that is not white space
  let i = 0;
  const templateText = (from: number): number => {
    let j = from;
    while (j < text.length && text[j] !== "`") {
      if (text[j] === "\\") j += 2;
      else if (text[j] === "$" && text[j + 1] === "{") {
        mark(from, j + 2);
        substitutions.push(0);
        return j + 2;
      } else j++;
    }
    mark(from, j + 1);
    return j + 1;
  };
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      mark(i, stop, true);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      mark(i, stop, true);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      mark(i, j + 1);
      i = j + 1;
      previous = c;
    } else if (c === "`") {
      i = templateText(i);
      previous = "`";
    } else if (c === "}" && substitutions.length > 0 && substitutions[substitutions.length - 1] === 0) {
      substitutions.pop();
      i = templateText(i);
      previous = "`";
    } else if (
      c === "/" &&
      (previous === "" || BEFORE_REGEX.has(previous) || /\breturn$/.test(text.slice(Math.max(0, i - 8), i).trimEnd()))
    ) {
      let j = i + 1;
      let inClass = false;
      while (j < text.length && text[j] !== "\n" && (inClass || text[j] !== "/")) {
        if (text[j] === "\\") j++;
        else if (text[j] === "[") inClass = true;
        else if (text[j] === "]") inClass = false;
        j++;
      }
      j++;
      while (j < text.length && /[a-z]/i.test(text[j]!)) j++;
      mark(i, j);
      i = j;
      previous = "/";
    } else {
      if (substitutions.length > 0) {
        if (c === "{") substitutions[substitutions.length - 1]!++;
        else if (c === "}") substitutions[substitutions.length - 1]!--;
      }
      if (!/\s/.test(c)) previous = c;
      i++;
    }
  }
  return { text, code, comment };
}

/** The offset of the bracket closing the one at `open`, counting code only; -1 when it is never closed. */
export function matchingBracket(source: ScannedSource, open: number): number {
  let depth = 0;
  for (let i = open; i < source.text.length; i++) {
    if (!source.code[i]) continue;
    const c = source.text[i]!;
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c) && --depth === 0) return i;
  }
  return -1;
}

/** The offset of the innermost `{` enclosing `at`, or -1. */
export function enclosingBrace(source: ScannedSource, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (!source.code[i]) continue;
    const c = source.text[i]!;
    if (CLOSE.includes(c)) depth++;
    else if (OPEN.includes(c)) {
      if (depth === 0) return c === "{" ? i : -1;
      depth--;
    }
  }
  return -1;
}

const isIdentifierChar = (c: string | undefined): boolean => c !== undefined && /[\w$]/.test(c);

/** Offsets where the identifier `name` stands as a whole word in code. */
export function identifierOffsets(source: ScannedSource, name: string): number[] {
  const found: number[] = [];
  for (let at = source.text.indexOf(name); at >= 0; at = source.text.indexOf(name, at + 1)) {
    if (!source.code[at] || isIdentifierChar(source.text[at - 1]) || isIdentifierChar(source.text[at + name.length])) continue;
    // Not a member (`x.name`): that is someone else's name.
    const before = source.text.slice(0, at).trimEnd();
    if (before.endsWith(".") && !before.endsWith("...")) continue;
    found.push(at);
  }
  return found;
}

/** The start of the next token at or after `from` (not white space, not a comment), or -1. */
export function nextCode(source: ScannedSource, from: number): number {
  for (let i = from; i < source.text.length; i++) if (!source.comment[i] && !/\s/.test(source.text[i]!)) return i;
  return -1;
}

/** The top-level properties of the object literal whose `{` is at `open`. */
export function literalProperties(source: ScannedSource, open: number): LiteralProperty[] {
  const close = matchingBracket(source, open);
  const properties: LiteralProperty[] = [];
  let start = nextCode(source, open + 1);
  while (start >= 0 && start < close) {
    // The property runs to the next comma at this depth, or to the closing brace.
    let depth = 0;
    let valueEnd = close;
    for (let i = start; i < close; i++) {
      if (!source.code[i]) continue;
      const c = source.text[i]!;
      if (OPEN.includes(c)) depth++;
      else if (CLOSE.includes(c)) depth--;
      else if (c === "," && depth === 0) {
        valueEnd = i;
        break;
      }
    }
    const end = valueEnd < close ? valueEnd + 1 : valueEnd;
    const key = /^(?:([A-Za-z_$][\w$]*)|"([^"]*)"|'([^']*)')\s*:/.exec(source.text.slice(start, valueEnd));
    const trimmedEnd = start + source.text.slice(start, valueEnd).trimEnd().length;
    properties.push(
      key === null
        ? { key: undefined, start, keyEnd: start, valueStart: start, valueEnd: trimmedEnd, end }
        : {
            key: key[1] ?? key[2] ?? key[3],
            start,
            keyEnd: start + key[0].length - 1,
            valueStart: nextCode(source, start + key[0].length),
            valueEnd: trimmedEnd,
            end,
          },
    );
    start = nextCode(source, end);
  }
  return properties;
}

/**
 * The replacements removing some properties of the object literal at `open`,
 * with the separators around them, so no blank line or double comma is left.
 */
export function removeProperties(
  source: ScannedSource,
  open: number,
  removed: (property: LiteralProperty) => boolean,
): { start: number; end: number; text: string }[] {
  const properties = literalProperties(source, open);
  const ranges: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i < properties.length; i++) {
    if (!removed(properties[i]!)) continue;
    let j = i;
    while (j + 1 < properties.length && removed(properties[j + 1]!)) j++;
    if (i > 0) ranges.push({ start: properties[i - 1]!.end, end: properties[j]!.end, text: "" });
    else if (j + 1 < properties.length) ranges.push({ start: properties[0]!.start, end: properties[j + 1]!.start, text: "" });
    else ranges.push({ start: open + 1, end: matchingBracket(source, open), text: "" });
    i = j;
  }
  return ranges;
}

/** The property `key` of the object literal at `open`, if it has one. */
export function propertyOf(source: ScannedSource, open: number, key: string): LiteralProperty | undefined {
  return literalProperties(source, open).find((property) => property.key === key);
}

/**
 * The text with the ranges replaced (ranges must not overlap, except an
 * insertion at the start of a removed range, which is kept before what follows).
 */
export function applyReplacements(text: string, replacements: readonly { start: number; end: number; text: string }[]): string {
  let result = text;
  for (const { start, end, text: replacement } of [...replacements].sort((a, b) => b.start - a.start || b.end - a.end)) {
    result = result.slice(0, start) + replacement + result.slice(end);
  }
  return result;
}
