import type { StoredEntry } from "../storage/backend.js";
import { serialize } from "../storage/codec.js";
import { checkBatchKeys, checkKeyPresent, checkPairCount, checkSingleKey, toKey } from "../storage/limits.js";
import { MAX_SQLITE_KV_ENTRY_BYTES } from "./limits.js";

/**
 * put()'s argument forms for SQLite-backed objects: the key rules and
 * messages are the key-value API's (storage/arguments.ts); the value limit is
 * SQLite's, 2 MB for key and value together instead of 128 KiB per value.
 */
export function parseSqlitePut(keyOrEntries: unknown, value: unknown): StoredEntry[] {
  if (typeof keyOrEntries === "object" && keyOrEntries !== null && !Array.isArray(keyOrEntries)) {
    const entries = Object.entries(keyOrEntries as Record<string, unknown>);
    checkPairCount(entries.length);
    const pairs: StoredEntry[] = [];
    for (const [key, entryValue] of entries) {
      checkBatchKeys([key]);
      // Production skips undefined values in an entries object.
      if (entryValue === undefined) continue;
      const bytes = serialize(entryValue);
      checkEntrySize(key, bytes, true);
      pairs.push([key, bytes]);
    }
    return pairs;
  }
  checkKeyPresent(keyOrEntries, "put");
  const key = toKey(keyOrEntries);
  checkSingleKey(key);
  if (value === undefined) throw new TypeError("put() called with undefined value.");
  const bytes = serialize(value);
  checkEntrySize(key, bytes, false);
  return [[key, bytes]];
}

/** One key-value pair for the synchronous `storage.kv.put(key, value)`. */
export function parseSyncPut(key: unknown, value: unknown): StoredEntry {
  return parseSqlitePut(key === undefined ? undefined : toKey(key), value)[0]!;
}

function checkEntrySize(key: string, value: Uint8Array, batch: boolean): void {
  const size = Buffer.byteLength(key, "utf8") + value.byteLength;
  if (size <= MAX_SQLITE_KV_ENTRY_BYTES) return;
  throw new RangeError(
    batch
      ? `Key and value for key "${key}" are above the limit of ${MAX_SQLITE_KV_ENTRY_BYTES} bytes for SQLite-backed Durable Objects (${size} bytes).`
      : `Keys and values together cannot be larger than ${MAX_SQLITE_KV_ENTRY_BYTES} bytes in SQLite-backed Durable Objects (${size} bytes).`,
  );
}
