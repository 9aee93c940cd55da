import { DuraboxError } from "../base/errors.js";
import type { OptionDeclaration, OptionTable } from "./declaration.js";

/** The error for a value its declaration's type refuses, naming the option, what it must be, and what it got. */
function invalidValueError(path: string, declaration: OptionDeclaration<unknown>, value: unknown): DuraboxError {
  const got = declaration.type.got(value);
  return new DuraboxError(
    "ERR_OPTIONS",
    `Option "${path}" must be ${declaration.type.expected(declaration.example)}${got === undefined ? "" : `, got ${got}`}.`,
  );
}

/** Throws unless `value` is absent or of the declared type. */
export function checkValue(path: string, declaration: OptionDeclaration<unknown>, value: unknown): void {
  if (value !== undefined && !declaration.type.accepts(value)) throw invalidValueError(path, declaration, value);
}

/** Checks every declared option `options` gives (keys are checked separately); `prefix` is prepended to names in errors. */
export function checkValues(options: Record<string, unknown>, table: OptionTable, prefix = ""): void {
  for (const [name, declaration] of Object.entries(table)) checkValue(`${prefix}${name}`, declaration, options[name]);
}
