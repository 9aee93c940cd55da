import { checkValues } from "./check.js";
import type { OptionTable } from "./declaration.js";
import { durableObjectBindingOptions } from "./declared.js";
import { fail } from "./fail.js";
import type { NormalizedBinding } from "./normalized.js";
import { checkOptionKeys } from "./unknown.js";
import { isRecord, typeName } from "../base/describe.js";

const FIELDS = Object.keys(durableObjectBindingOptions);

/** The object form as errors show it: `{ className: "Counter", scriptName?: "api" }`. */
const OBJECT_FORM = `{ ${Object.entries(durableObjectBindingOptions as OptionTable)
  .map(([name, field]) => `${name}${field.required ? "" : "?"}: ${field.example}`)
  .join(", ")} }`;

/** A worker's Durable Object bindings (options over its wrangler config's), each class name or object checked. */
export function normalizeDurableObjects(value: Record<string, unknown>, prefix: string, workerName: string): NormalizedBinding[] {
  return Object.entries(value).map(([binding, entry]) => {
    if (typeof entry === "string" && entry !== "") return { binding, className: entry, scriptName: workerName };
    const path = `${prefix}durableObjects.${binding}`;
    if (isRecord(entry)) checkOptionKeys(entry, FIELDS, { prefix: `${path}.` });
    if (!isRecord(entry) || !durableObjectBindingOptions.className.type.accepts(entry.className)) {
      fail(
        `${path} must be a class name (${durableObjectBindingOptions.className.example}) or ${OBJECT_FORM}, got ${
          isRecord(entry) ? "an object without a className" : typeName(entry)
        }.`,
      );
    }
    checkValues(entry, durableObjectBindingOptions, `${path}.`);
    const useSQLite = entry.useSQLite as boolean | undefined;
    return {
      binding,
      className: entry.className as string,
      scriptName: (entry.scriptName as string | undefined) ?? workerName,
      ...(useSQLite !== undefined && { useSQLite }),
    };
  });
}
