// Rate limiting bindings: `ratelimits` (Miniflare's record of binding name to
// `{ namespace_id?, simple: { limit, period? } }`), wrangler's `ratelimits` and its older
// `unsafe.bindings` entries of type "ratelimit". Bindings naming one namespace share its counters.
import { isRecord, typeName } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues, type Table } from "../../config/values.js";
import { option } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { shape } from "../value-types.js";
import { RATE_LIMIT_PERIODS } from "../../bindings/ratelimit/limits.js";
import { bindingKind } from "./kind.js";

/** A rate limiting binding: `env[binding].limit({ key })` counts in namespace `namespaceId`. */
export interface NormalizedRateLimit {
  readonly binding: string;
  readonly namespaceId: string;
  /** Calls allowed per key and period. */
  readonly limit: number;
  /** The period in seconds: 10 or 60. */
  readonly period: number;
}

/** One binding as the option gives it (wrangler's field names). */
export interface RateLimitOptions {
  namespace_id?: string;
  simple: { limit: number; period?: 10 | 60 };
}

type Entry = Omit<NormalizedRateLimit, "binding">;

const EXAMPLE = '{ name = "LIMITER", namespace_id = "1001", simple = { limit = 100, period = 60 } }';
const DEFAULT_PERIOD = 60;

/** A `simple` table's limit and period, checked: `where` names it in errors. */
function simple(where: string, value: unknown, fail: (message: string) => never): Pick<Entry, "limit" | "period"> {
  if (!isRecord(value)) fail(`${where} must be an object like { limit: 100, period: 60 }, got ${typeName(value)}.`);
  const { limit, period = DEFAULT_PERIOD } = value as { limit?: unknown; period?: unknown };
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0) {
    fail(`${where}.limit must be a whole number of calls, 0 or more, got ${typeof limit === "number" ? limit : typeName(limit)}.`);
  }
  if (!RATE_LIMIT_PERIODS.includes(period as number)) {
    fail(
      `${where}.period must be ${RATE_LIMIT_PERIODS.join(" or ")} (seconds), got ${typeof period === "number" ? period : typeName(period)}.`,
    );
  }
  return { limit: limit as number, period: period as number };
}

function readEntry(values: ConfigValues, entry: Table, where: string, nameKey: string): readonly [string, Entry] {
  const binding = values.string(`${where}.${nameKey}`, entry[nameKey]);
  if (binding === undefined) values.fail(`"${where}" needs a ${nameKey}, like ${EXAMPLE}.`);
  const namespaceId = values.string(`${where}.namespace_id`, entry.namespace_id) ?? binding;
  return [binding, { namespaceId, ...simple(`"${where}.simple"`, entry.simple, values.fail) }];
}

export const rateLimits = bindingKind<Record<string, RateLimitOptions>, Entry, NormalizedRateLimit>({
  option: "ratelimits",
  declaration: option({
    doc: "rate limiting bindings on `env` (`limit({ key })`): binding name to `{ namespace_id?, simple: { limit, period? } }` (period 10 or 60 seconds, default 60), counted on the runtime's clock; bindings naming one `namespace_id` share counters; wrangler's `ratelimits` (and `unsafe.bindings` of type \"ratelimit\")",
    type: shape<Record<string, RateLimitOptions>>(
      "`{ BINDING: { simple: { limit, period } } }`",
      "an object of binding name to { namespace_id?, simple: { limit, period? } }, such as {example}",
      (value) => isRecord(value) && Object.values(value).every(isRecord),
    ),
    example: "{ LIMITER: { simple: { limit: 100, period: 60 } } }",
    wrangler: "ratelimits",
  }),
  noun: "a rate limiting binding",
  wrangler: {
    section: "ratelimits",
    read: (config, values: ConfigValues) => {
      const unsafe = values.array("unsafe.bindings", values.table("unsafe", config.unsafe)?.bindings) ?? [];
      const fromUnsafe = unsafe.flatMap((entry, i) =>
        isRecord(entry) && entry.type === "ratelimit" ? [readEntry(values, entry, `unsafe.bindings[${i}]`, "name")] : [],
      );
      const entries = arrayOfTables(values, "ratelimits", config.ratelimits, EXAMPLE, (entry, where) =>
        readEntry(values, entry, where, "name"),
      );
      return { ...Object.fromEntries(fromUnsafe), ...entries };
    },
  },
  normalize: (option, config, { prefix }) => {
    const merged = new Map<string, NormalizedRateLimit>();
    for (const [binding, entry] of Object.entries(config ?? {})) merged.set(binding, { binding, ...entry });
    for (const [binding, entry] of Object.entries(option ?? {})) {
      const path = `${prefix}ratelimits.${binding}`;
      checkOptionKeys(entry, ["namespace_id", "simple"], { prefix: `${path}.` });
      const { namespace_id: namespaceId = binding } = entry;
      if (typeof namespaceId !== "string" || namespaceId === "")
        fail(`${path}.namespace_id must be a non-empty string, got ${typeName(namespaceId)}.`);
      merged.set(binding, { binding, namespaceId, ...simple(`${path}.simple`, entry.simple, fail) });
    }
    return [...merged.values()];
  },
});
