// Workflows' durations: a number of milliseconds, or "<number> <unit>" with a unit of
// workers-types' WorkflowDurationLabel, singular or plural ("10 seconds", "1 minute"), as the
// Workflows engine reads them (a month 30 days, a year 365.25).
const UNIT_MS: Readonly<Record<string, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_592_000_000,
  year: 31_557_600_000,
};

const FORMS = 'a number of milliseconds or a string such as "10 seconds" (units: second, minute, hour, day, week, month, year)';

/** The duration in milliseconds, or undefined when `value` is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s+([a-z]+?)s?\s*$/i.exec(value);
  if (match === null) return /^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
  const unit = UNIT_MS[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** The duration in milliseconds, or a TypeError naming `what` and the forms allowed. */
export function durationMs(what: string, value: unknown): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new TypeError(`${what} must be ${FORMS}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}.`);
  }
  return ms;
}
