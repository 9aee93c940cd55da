import type { StoredEntry } from "../storage/backend.js";
import { parsePut, type ValueSizeCheck } from "../storage/arguments.js";
import { toKey } from "../storage/limits.js";
import { MAX_SQLITE_KV_ENTRY_BYTES } from "./limits.js";

/**
 * put()'s value limit on SQLite-backed objects: 2 MB for key and value
 * together instead of 128 KiB per value. The argument forms, key rules and
 * messages are the key-value API's (storage/arguments.ts).
 */
const SQLITE_SIZES: ValueSizeCheck = {
  single: (key, bytes) => checkEntrySize(key, bytes, false),
  batch: (key, bytes) => checkEntrySize(key, bytes, true),
};

/** put(key, value) or put(entries) on a SQLite-backed object. */
export function parseSqlitePut(keyOrEntries: unknown, value: unknown): StoredEntry[] {
  return parsePut(keyOrEntries, value, SQLITE_SIZES);
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
