// Workers KV's limits and the messages production's runtime gives when one is
// passed (Cloudflare's KV limits page; workerd's kv.c++ and the KV service's
// statuses, which the runtime reports as "KV <METHOD> failed: <status> <text>").
import { keyLongerThan } from "../../storage/keys.js";

/** Key size, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;
/** Value size: 25 MiB. */
export const MAX_VALUE_BYTES = 25 * 1024 * 1024;
/** Metadata size, as JSON in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 1024;
/** Keys per list() page, and its default. */
export const MAX_LIST_KEYS = 1000;
/** Keys per bulk get. */
export const MAX_BULK_KEYS = 100;
/** The shortest expirationTtl, and how far ahead an expiration must be, in seconds. */
export const MIN_EXPIRATION_TTL = 60;
/** The shortest cacheTtl, in seconds (30 since 2025; it was 60). */
export const MIN_CACHE_TTL = 30;

export function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

/** An error the KV service answers with a status: production throws a plain Error of this form. */
export function kvError(method: string, status: number, text: string): Error {
  return new Error(`KV ${method} failed: ${status} ${text}`);
}

/** The checks the runtime makes of a single key before asking the service. */
export function checkKey(method: string, key: string): void {
  if (key === "") throw new TypeError("Key name cannot be empty.");
  if (key === "." || key === "..") throw new TypeError(`"${key}" is not allowed as a key name.`);
  if (keyLongerThan(key, MAX_KEY_BYTES)) {
    throw kvError(method, 414, `UTF-8 encoded length of ${byteLength(key)} exceeds key length limit of ${MAX_KEY_BYTES}.`);
  }
}

/** The bulk endpoint's own checks of each key (its own wording). */
export function checkBulkKey(key: string): void {
  if (key === "" || key === "." || key === "..") throw kvError("GET_BULK", 400, `Key name ${key} is not legal`);
  const length = byteLength(key);
  if (length > MAX_KEY_BYTES) throw kvError("GET_BULK", 414, `Encoded length of ${length} is too long`);
}

export function valueTooLarge(length: number): Error {
  return kvError("PUT", 413, `Value length of ${length} exceeds limit of ${MAX_VALUE_BYTES}.`);
}
