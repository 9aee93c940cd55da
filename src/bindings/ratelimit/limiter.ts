import type { Clock } from "../../base/realm-clock.js";
import type { RateLimitCounters } from "./counters.js";
import { MAX_RATE_LIMIT_DELTA, RATE_LIMIT_OPTION_KEYS, RATE_LIMIT_PERIODS } from "./limits.js";

/** What `limit()` takes (workers-types declares `key` and `delta`; local workerd also takes `limit` and `period`). */
export interface RateLimitOptions {
  key: string;
  /** Added to the key's count (default 1); the call succeeds while the count is below the limit. */
  delta?: number;
  limit?: number;
  period?: number;
}

export interface RateLimitOutcome {
  success: boolean;
}

/** Checks as local workerd's binding makes them, with its messages (production documents none). */
function check(test: boolean, message: string): void {
  if (!test) throw new Error(message);
}

function toDelta(delta: unknown): number {
  const value = Number(delta);
  if (!Number.isFinite(value)) throw new TypeError("The value cannot be converted because it is not an integer.");
  if (value < 0) throw new TypeError("The value cannot be converted because it is negative and this API expects a positive number.");
  if (value > MAX_RATE_LIMIT_DELTA) throw new TypeError(`Value out of range. Must be less than or equal to ${MAX_RATE_LIMIT_DELTA}.`);
  const whole = Math.trunc(value);
  if (whole === 0) throw new RangeError("delta must be non-zero");
  return whole;
}

/**
 * A rate limiting binding (`env.LIMITER`): counts calls per key in fixed
 * windows of the period, aligned to the clock (every key's window rolls over at
 * the same instant), on the runtime's clock read at each call, so fake timers
 * that advance move calls into the next window.
 */
export class RateLimit {
  readonly #counters: RateLimitCounters;
  readonly #namespace: string;
  readonly #limit: number;
  readonly #period: number;
  readonly #clock: Clock;

  constructor(counters: RateLimitCounters, namespace: string, limit: number, period: number, clock: Clock) {
    this.#counters = counters;
    this.#namespace = namespace;
    this.#limit = limit;
    this.#period = period;
    this.#clock = clock;
  }

  async limit(options: RateLimitOptions): Promise<RateLimitOutcome> {
    check(typeof options === "object" && options !== null, "invalid rate limit options");
    const unknown = Object.keys(options).filter((key) => !RATE_LIMIT_OPTION_KEYS.includes(key));
    check(unknown.length === 0, `bad rate limit options: [${unknown.join(",")}]`);
    const { key = "", limit = this.#limit, period = this.#period, delta = 1 } = options;
    check(typeof key === "string", `invalid key: ${String(key)}`);
    check(typeof limit === "number", `limit must be a number: ${String(limit)}`);
    check(typeof period === "number", `period must be a number: ${String(period)}`);
    check(RATE_LIMIT_PERIODS.includes(period), `unsupported period: ${period}`);
    const weight = toDelta(delta);
    const window = Math.floor(this.#clock.now() / (period * 1000));
    // A key counts per namespace and period: a call with another period is another counter.
    const bucket = `${this.#namespace}\u0000${period}\u0000${key}`;
    const count = this.#counters.count(bucket, window);
    if (count >= limit) return { success: false };
    this.#counters.set(bucket, window, count + weight);
    return { success: true };
  }
}
