// What a rate limiting binding allows, as local workerd's binding checks it.

/** The periods, in seconds, a rate limiting namespace may count over. */
export const RATE_LIMIT_PERIODS: readonly number[] = [10, 60];

/** The largest `delta` one call may add (an unsigned 32-bit integer). */
export const MAX_RATE_LIMIT_DELTA = 4294967295;

/** The option keys `limit()` accepts. */
export const RATE_LIMIT_OPTION_KEYS: readonly string[] = ["key", "limit", "period", "delta"];
