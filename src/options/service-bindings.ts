import { fail } from "./fail.js";
import type { NormalizedService } from "./normalized.js";
import { checkOptionKeys } from "./unknown.js";
import { isRecord, typeName } from "../base/describe.js";

const FIELDS = ["name", "entrypoint", "props"];
const FORMS = '"worker", { name: "worker", entrypoint?: "Name", props?: {...} } or a function (request) => Response';

/** A worker's service bindings (options over its wrangler config's `services`), each entry checked. */
export function normalizeServiceBindings(value: Record<string, unknown>, prefix: string): NormalizedService[] {
  return Object.entries(value).map(([binding, entry]) => {
    const path = `${prefix}serviceBindings.${binding}`;
    if (typeof entry === "string") return { binding, service: entry, entrypoint: undefined, props: {} };
    if (typeof entry === "function") return { binding, handler: entry as (request: Request) => unknown };
    if (!isRecord(entry)) fail(`${path} must be ${FORMS}, got ${typeName(entry)}.`);
    checkOptionKeys(entry, FIELDS, { prefix: `${path}.` });
    if (typeof entry.name !== "string") fail(`${path}.name must be the name of a worker (a string), got ${typeName(entry.name)}.`);
    if (entry.entrypoint !== undefined && (typeof entry.entrypoint !== "string" || entry.entrypoint === "")) {
      fail(`${path}.entrypoint must be the name of an exported WorkerEntrypoint class (a string), got ${typeName(entry.entrypoint)}.`);
    }
    if (entry.props !== undefined && !isRecord(entry.props))
      fail(`${path}.props must be an object (ctx.props), got ${typeName(entry.props)}.`);
    return {
      binding,
      service: entry.name,
      entrypoint: entry.entrypoint as string | undefined,
      props: (entry.props as Record<string, unknown> | undefined) ?? {},
    };
  });
}

/** The compatibility date from which `ctx.exports` is on by default (workerd `enable_ctx_exports`). */
const CTX_EXPORTS_DATE = "2025-11-17";

export function ctxExportsEnabled(date: string | undefined, flags: readonly string[]): boolean {
  if (flags.includes("disable_ctx_exports")) return false;
  return flags.includes("enable_ctx_exports") || (date !== undefined && date >= CTX_EXPORTS_DATE);
}
