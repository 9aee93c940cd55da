import type { Conditions, Etag } from "./arguments.js";

const toSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

function anyMatches(etags: readonly Etag[], etag: string, weakAllowed: boolean): boolean {
  return etags.some((e) => e.type === "wildcard" || (e.value === etag && (weakAllowed || e.type === "strong")));
}

/**
 * Whether an `onlyIf` holds for the object (undefined: there is none), as
 * HTTP evaluates conditional requests (RFC 9110 §13.2.2): If-Match before
 * If-Unmodified-Since (which counts only without it), If-None-Match before
 * If-Modified-Since (likewise). With no object, only conditions that need
 * one fail (a matching etag, an upload time after a date).
 */
export function conditionsHold(conditions: Conditions, object: { readonly etag: string; readonly uploaded: number } | undefined): boolean {
  if (object === undefined) return conditions.etagMatches === undefined && conditions.uploadedAfter === undefined;
  const time = conditions.secondsGranularity ? toSeconds : (ms: number): number => ms;
  const uploaded = time(object.uploaded);
  if (conditions.etagMatches !== undefined) {
    // If-Match compares strongly: a weak etag never matches.
    if (!anyMatches(conditions.etagMatches, object.etag, false)) return false;
  } else if (conditions.uploadedBefore !== undefined && !(uploaded < time(conditions.uploadedBefore))) {
    return false;
  }
  if (conditions.etagDoesNotMatch !== undefined) {
    if (anyMatches(conditions.etagDoesNotMatch, object.etag, true)) return false;
  } else if (conditions.uploadedAfter !== undefined && !(uploaded > time(conditions.uploadedAfter))) {
    return false;
  }
  return true;
}
