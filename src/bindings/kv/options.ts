// put()'s and get()'s options, checked as the KV service checks them (its
// statuses and texts, which the runtime reports as "KV PUT failed: ...").
import { byteLength, kvError, MAX_METADATA_BYTES, MIN_CACHE_TTL, MIN_EXPIRATION_TTL } from "./limits.js";

/** The service reads these as integers: strings as parseInt does, numbers rounded. */
function integer(value: unknown): number {
  if (typeof value === "string") return parseInt(value, 10);
  if (typeof value === "number") return Math.round(value);
  return Number.NaN;
}

/**
 * The expiration to store (ms since the epoch), from `expiration` (seconds
 * since the epoch) or `expirationTtl` (seconds from `now`, which wins);
 * undefined when neither is given. Both must be at least 60 seconds ahead.
 */
export function parseExpiration(expiration: unknown, expirationTtl: unknown, now: number): number | undefined {
  const nowSeconds = now / 1000;
  if (expirationTtl !== undefined && expirationTtl !== null) {
    const ttl = integer(expirationTtl);
    if (Number.isNaN(ttl) || ttl <= 0) {
      throw kvError("PUT", 400, `Invalid expiration_ttl of ${String(expirationTtl)}. Please specify integer greater than 0.`);
    }
    if (ttl < MIN_EXPIRATION_TTL) {
      throw kvError(
        "PUT",
        400,
        `Invalid expiration_ttl of ${String(expirationTtl)}. Expiration TTL must be at least ${MIN_EXPIRATION_TTL}.`,
      );
    }
    return (nowSeconds + ttl) * 1000;
  }
  if (expiration !== undefined && expiration !== null) {
    const at = integer(expiration);
    if (Number.isNaN(at) || at <= nowSeconds) {
      throw kvError(
        "PUT",
        400,
        `Invalid expiration of ${String(expiration)}. Please specify integer greater than the current number of seconds since the UNIX epoch.`,
      );
    }
    if (at < nowSeconds + MIN_EXPIRATION_TTL) {
      throw kvError(
        "PUT",
        400,
        `Invalid expiration of ${String(expiration)}. Expiration times must be at least ${MIN_EXPIRATION_TTL} seconds in the future.`,
      );
    }
    return at * 1000;
  }
  return undefined;
}

/** The metadata as the JSON text stored, or undefined for none (null and undefined are none). */
export function parseMetadata(metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  const json = JSON.stringify(metadata);
  // A function or symbol serialises to nothing: production stores no metadata then either.
  if (json === undefined) return undefined;
  const length = byteLength(json);
  if (length > MAX_METADATA_BYTES) throw kvError("PUT", 413, `Metadata length of ${length} exceeds limit of ${MAX_METADATA_BYTES}.`);
  return json;
}

/** cacheTtl does nothing on one machine, but a value production refuses is refused here too. */
export function parseCacheTtl(method: string, cacheTtl: unknown): void {
  if (cacheTtl === undefined || cacheTtl === null) return;
  const ttl = Number(cacheTtl);
  if (Number.isNaN(ttl) || ttl < MIN_CACHE_TTL) {
    throw kvError(method, 400, `Invalid cache_ttl of ${String(cacheTtl)}. Cache TTL must be at least ${MIN_CACHE_TTL}.`);
  }
}
