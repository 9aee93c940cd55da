/**
 * Production's bookmark format, `xxxxxxxx-xxxxxxxx-xxxxxxxx-` and 32 hex
 * digits, sorting in the order bookmarks were taken. Local workerd counts
 * one up per getCurrentBookmark() (keeping the count in _cf_METADATA), splits
 * the count at 2^32-1 into the first two groups, and zeroes the rest.
 */
const UINT32_MAX = 0xffffffff;
const hex8 = (n: number): string => n.toString(16).padStart(8, "0");

export function formatBookmark(count: number): string {
  return `${hex8(Math.floor(count / UINT32_MAX))}-${hex8(count % UINT32_MAX)}-${hex8(0)}-${"0".repeat(32)}`;
}

export const POINT_IN_TIME_RECOVERY_UNSUPPORTED = "This Durable Object's storage back-end does not implement point-in-time recovery.";
