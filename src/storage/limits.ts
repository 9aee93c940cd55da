import { keyLongerThan, wellFormedKey } from "./keys.js";

/**
 * Production's storage limits, with production's messages (see
 * shared/reference/behaviour.md). Checked before anything is written, so a
 * refused call changes nothing.
 */
export const MAX_KEY_BYTES = 2048;
export const MAX_VALUE_BYTES = 128 * 1024;
/** V8's serialisation tags a value with a few bytes; production allows 32. */
export const MAX_SERIALIZED_VALUE_BYTES = MAX_VALUE_BYTES + 32;
export const MAX_KEYS_PER_CALL = 128;
export const MAX_KEYS_PER_TRANSACTION = 128;

export type StorageOperation = "get" | "put" | "delete" | "list";

export function checkKeyPresent(key: unknown, op: StorageOperation): void {
  if (key === undefined) {
    throw new TypeError(`Failed to execute '${op}' on 'DurableObjectStorage': parameter 1 is not of type 'variant'.`);
  }
}

export function checkSingleKey(key: string): void {
  if (keyLongerThan(key, MAX_KEY_BYTES)) {
    throw new RangeError(`Keys cannot be larger than ${MAX_KEY_BYTES} bytes.`);
  }
}

export function checkBatchKeys(keys: readonly string[]): void {
  if (keys.length > MAX_KEYS_PER_CALL) {
    throw new RangeError(`Maximum number of keys is ${MAX_KEYS_PER_CALL}.`);
  }
  for (const key of keys) {
    if (keyLongerThan(key, MAX_KEY_BYTES)) {
      throw new RangeError(`Key "${key}" is larger than the limit of ${MAX_KEY_BYTES} bytes.`);
    }
  }
}

export function checkPairCount(count: number): void {
  if (count > MAX_KEYS_PER_CALL) {
    throw new RangeError(`Maximum number of pairs is ${MAX_KEYS_PER_CALL}.`);
  }
}

export function checkSingleValue(serialized: Uint8Array): void {
  if (serialized.byteLength > MAX_SERIALIZED_VALUE_BYTES) {
    throw new RangeError(`Values cannot be larger than ${MAX_VALUE_BYTES} bytes.`);
  }
}

export function checkBatchValue(key: string, serialized: Uint8Array): void {
  if (serialized.byteLength > MAX_SERIALIZED_VALUE_BYTES) {
    throw new RangeError(`Value for key "${key}" is above the limit of ${MAX_VALUE_BYTES} bytes.`);
  }
}

export function checkTransactionSize(modifiedKeys: number): void {
  if (modifiedKeys > MAX_KEYS_PER_TRANSACTION) {
    throw new RangeError(`Maximum number of keys modified in a transaction is ${MAX_KEYS_PER_TRANSACTION}.`);
  }
}

/**
 * Keys arrive as strings in production; anything else but undefined is
 * coerced. Lone surrogates become U+FFFD, as UTF-8 storage makes them.
 */
export function toKey(key: unknown): string {
  return wellFormedKey(typeof key === "string" ? key : String(key));
}
