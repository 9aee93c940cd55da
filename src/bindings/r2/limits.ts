import { keyLongerThan } from "../../storage/keys.js";
import { r2Error, type R2Operation } from "./errors.js";

/** R2's limits on keys and custom metadata (as local workerd enforces them). */
export const MAX_KEY_BYTES = 1024;
export const MAX_METADATA_BYTES = 2048;
/** Multipart: every part but the last at least this large, and all of those the same size. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_LIST_LIMIT = 1000;

export function checkKey(action: R2Operation, key: string): void {
  if (keyLongerThan(key, MAX_KEY_BYTES)) throw r2Error(action, 10020);
}

/** Custom metadata counts the UTF-8 bytes of every name and value. */
export function checkCustomMetadata(action: R2Operation, metadata: Record<string, string>): void {
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  if (bytes > MAX_METADATA_BYTES) throw r2Error(action, 10012);
}
