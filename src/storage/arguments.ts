import { className } from "../base/describe.js";
import type { ListOptions } from "./host.js";
import { serialize } from "./codec.js";
import { compareKeys, prefixEnd } from "./keys.js";
import {
  checkBatchKeys,
  checkBatchValue,
  checkKeyPresent,
  checkPairCount,
  checkSingleKey,
  checkSingleValue,
  toKey,
  type StorageOperation,
} from "./limits.js";
import type { ListQuery, StoredEntry } from "./backend.js";

/**
 * The argument forms of the storage API (one key or an array of keys; one
 * pair or an object of pairs; list options), validated in production's order
 * with production's messages, shared by storage and transactions.
 */
export type KeyArgument =
  | { readonly single: true; readonly keys: [string] }
  | {
      readonly single: false;
      readonly keys: string[];
    };

export function parseKeys(key: unknown, op: StorageOperation): KeyArgument {
  if (Array.isArray(key)) {
    const keys = key.map(toKey);
    checkBatchKeys(keys);
    return { single: false, keys };
  }
  return { single: true, keys: [parseSingleKey(key, op)] };
}

/** One key (not an array): present, as a string, within the single-key limit. */
export function parseSingleKey(key: unknown, op: StorageOperation): string {
  checkKeyPresent(key, op);
  const single = toKey(key);
  checkSingleKey(single);
  return single;
}

/** How put() checks a serialised value's size: the key-value API's per-value limits, or another backend's. */
export interface ValueSizeCheck {
  /** put(key, value). */
  single(key: string, bytes: Uint8Array): void;
  /** One pair of put(entries). */
  batch(key: string, bytes: Uint8Array): void;
}

const KEY_VALUE_SIZES: ValueSizeCheck = {
  single: (_key, bytes) => checkSingleValue(bytes),
  batch: (key, bytes) => checkBatchValue(key, bytes),
};

/** put(key, value) or put(entries): the pairs to store, serialised and checked. */
export function parsePut(keyOrEntries: unknown, value: unknown, sizes: ValueSizeCheck = KEY_VALUE_SIZES): StoredEntry[] {
  if (typeof keyOrEntries === "object" && keyOrEntries !== null && !Array.isArray(keyOrEntries)) {
    const entries = Object.entries(keyOrEntries as Record<string, unknown>);
    checkPairCount(entries.length);
    const pairs: StoredEntry[] = [];
    for (const [rawKey, entryValue] of entries) {
      const key = toKey(rawKey);
      checkBatchKeys([key]);
      // Production skips undefined values in an entries object.
      if (entryValue === undefined) continue;
      const bytes = serialize(entryValue);
      sizes.batch(key, bytes);
      pairs.push([key, bytes]);
    }
    return pairs;
  }
  checkKeyPresent(keyOrEntries, "put");
  const key = toKey(keyOrEntries);
  checkSingleKey(key);
  if (value === undefined) throw new TypeError("put() called with undefined value.");
  const bytes = serialize(value);
  sizes.single(key, bytes);
  return [[key, bytes]];
}

/** The range a list() call scans, or null when the range is empty. */
export function parseListOptions(options: ListOptions | undefined): ListQuery | null {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object") {
    throw new TypeError('list() options must be an object, such as { prefix: "user:", limit: 10 }.');
  }
  const { startAfter, reverse, limit } = options;
  let { start, end } = options;
  const prefix = options.prefix === undefined ? undefined : toKey(options.prefix);
  if (start !== undefined && startAfter !== undefined) {
    throw new TypeError("list() cannot be called with both start and startAfter values.");
  }
  if (limit !== undefined) {
    if (typeof limit !== "number") throw new TypeError(`List limit must be a number, got ${typeof limit}.`);
    // Production reads the limit as an int: NaN and Infinity become 0, so they are "not positive" too.
    if (!(limit > 0) || limit === Infinity) throw new TypeError("List limit must be positive.");
  }
  if (start !== undefined) start = toKey(start);
  if (end !== undefined) end = toKey(end);
  // The key right after `startAfter` in UTF-8 order is startAfter + U+0000.
  if (startAfter !== undefined) start = `${toKey(startAfter)}\u0000`;
  if (prefix !== undefined && prefix !== "") {
    if (start === undefined || compareKeys(start, prefix) < 0) start = prefix;
    const afterPrefix = prefixEnd(prefix);
    if (afterPrefix !== undefined && (end === undefined || compareKeys(afterPrefix, end) < 0)) {
      end = afterPrefix;
    }
  }
  if (start !== undefined && end !== undefined && compareKeys(start, end) >= 0) return null;
  const query: { start?: string; end?: string; reverse?: boolean; limit?: number } = {};
  if (start !== undefined) query.start = start;
  if (end !== undefined) query.end = end;
  if (reverse) query.reverse = true;
  if (limit !== undefined) query.limit = Math.floor(limit) || 1;
  return query;
}

/**
 * Production holds an alarm time as nanoseconds in an int64 (workerd's
 * jsg DateWrapper), so it refuses times from 2^63 ns on, with this message
 * (the year in it is production's).
 */
const MAX_ALARM_NANOS = 2 ** 63;

/** setAlarm(time): a Date or milliseconds since the epoch, after 0, with production's messages. */
export function parseAlarmTime(time: unknown): number {
  const ms = isDate(time) ? Date.prototype.getTime.call(time) : time;
  if (typeof ms !== "number") {
    throw new TypeError(`setAlarm() expects a Date or a number of milliseconds since the epoch, got ${className(time)}.`);
  }
  // NaN, Infinity and an invalid Date (whose time is NaN).
  if (!Number.isFinite(ms)) throw new TypeError("The value cannot be converted because it is not a valid Date.");
  if (ms * 1e6 >= MAX_ALARM_NANOS) throw new TypeError("This API doesn't support dates after 2189.");
  if (ms * 1e6 <= -MAX_ALARM_NANOS) throw new TypeError("This API doesn't support dates before 1687.");
  if (ms <= 0) throw new TypeError("setAlarm() cannot be called with an alarm time <= 0");
  return ms;
}

/** A Date, also one made in another realm (a test runner's vm context). */
function isDate(value: unknown): value is Date {
  return value instanceof Date || Object.prototype.toString.call(value) === "[object Date]";
}

/** A Map of entries in the order given (already key order). */
export function toMap(entries: readonly StoredEntry[], decode: (bytes: Uint8Array) => unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [key, bytes] of entries) map.set(key, decode(bytes));
  return map;
}

/** The keys a get() reads: the one key, or the distinct keys in UTF-8 order. */
export function keysToRead(parsed: KeyArgument): string[] {
  return parsed.single ? parsed.keys : sortedDistinct(parsed.keys);
}

/** get()'s answer from the bytes read for keysToRead(): a value, or a Map without the missing keys. */
export function decodeGot(
  parsed: KeyArgument,
  keys: readonly string[],
  values: readonly (Uint8Array | undefined)[],
  decode: (bytes: Uint8Array) => unknown,
): unknown {
  if (parsed.single) return values[0] === undefined ? undefined : decode(values[0]);
  const found = new Map<string, unknown>();
  keys.forEach((key, i) => {
    const bytes = values[i];
    if (bytes !== undefined) found.set(key, decode(bytes));
  });
  return found;
}

/** Distinct keys in UTF-8 order: multi-key get answers in that order. */
export function sortedDistinct(keys: readonly string[]): string[] {
  return [...new Set(keys)].sort(compareKeys);
}
