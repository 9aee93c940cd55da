/**
 * Keys sort by their UTF-8 bytes, as in production. JavaScript compares
 * UTF-16 code units, which disagrees with UTF-8 (= code point) order only
 * where a surrogate (U+D800-DFFF, part of a code point >= U+10000) meets a
 * unit in U+E000-FFFF; shifting those two ranges past each other fixes it
 * without encoding either string.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** A half-open range of keys [start, end), either bound optional. */
export interface KeyRange {
  readonly start?: string;
  readonly end?: string;
}

export function inRange(key: string, range: KeyRange): boolean {
  if (range.start !== undefined && compareKeys(key, range.start) < 0) return false;
  if (range.end !== undefined && compareKeys(key, range.end) >= 0) return false;
  return true;
}

/**
 * The smallest key greater than every key with this prefix, or undefined when
 * there is none (a prefix of only U+10FFFF): the exclusive end of a prefix scan.
 */
export function prefixEnd(prefix: string): string | undefined {
  let end = prefix;
  while (end.length > 0) {
    const last = end.codePointAt(end.length - 1) ?? 0;
    // A trailing low surrogate belongs to a pair: step over the whole pair.
    const width = last >= 0xdc00 && last <= 0xdfff && end.length >= 2 ? 2 : 1;
    const codePoint = end.codePointAt(end.length - width) ?? 0;
    end = end.slice(0, end.length - width);
    if (codePoint < 0x10ffff) {
      let next = codePoint + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
      return end + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** A lone surrogate: a high one not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
type WellFormedString = string & { isWellFormed?(): boolean; toWellFormed?(): string };

/**
 * The key as stored: production and Redis hold keys as UTF-8, where a lone
 * surrogate (half of a pair, not a character) becomes U+FFFD, so "\uD800",
 * "\uDC00" and "\uFFFD" are one key there. Every backend stores what this
 * returns, so all of them agree (String.prototype.toWellFormed, Node 20+).
 */
export function wellFormedKey(key: string): string {
  const text = key as WellFormedString;
  if (text.isWellFormed !== undefined) return text.isWellFormed() ? key : text.toWellFormed!();
  return replaceLoneSurrogates(key);
}

/** toWellFormed for a runtime without it. */
export function replaceLoneSurrogates(key: string): string {
  return key.replace(LONE_SURROGATE, "\uFFFD");
}

const encoder = new TextEncoder();

/** Whether a key's UTF-8 encoding is longer than `limit` bytes. */
export function keyLongerThan(key: string, limit: number): boolean {
  // Every UTF-16 unit encodes to at most 3 UTF-8 bytes: most keys need no encoding.
  if (key.length * 3 <= limit) return false;
  if (key.length > limit) return true;
  return encoder.encode(key).byteLength > limit;
}
