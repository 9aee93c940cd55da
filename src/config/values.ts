import { DuraboxError } from "../base/errors.js";
import { isRecord, typeNameWithArticle } from "../base/describe.js";

/** A TOML table or JSON object. */
export type Table = Record<string, unknown>;

export const isTable: (value: unknown) => value is Table = isRecord;

/** A value's type as the config's errors name it: "a string", "an array", "a table". */
export const kind = (value: unknown): string => typeNameWithArticle(value, "a table");

/** The checks of one config file's values: each error names the key and the file. */
export interface ConfigValues {
  readonly file: string;
  fail(message: string): never;
  string(key: string, value: unknown): string | undefined;
  table(key: string, value: unknown): Table | undefined;
  array(key: string, value: unknown): unknown[] | undefined;
  /** An array of strings (each element checked), or undefined when absent. */
  strings(key: string, value: unknown): string[] | undefined;
}

export function configValues(file: string): ConfigValues {
  const fail = (message: string): never => {
    throw new DuraboxError("ERR_OPTIONS", `${file}: ${message}`);
  };
  const string = (key: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== "string") fail(`"${key}" must be a string, got ${kind(value)}.`);
    return value as string;
  };
  const array = (key: string, value: unknown): unknown[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) fail(`"${key}" must be an array, got ${kind(value)}.`);
    return value as unknown[];
  };
  return {
    file,
    fail,
    string,
    array,
    table: (key, value) => {
      if (value === undefined) return undefined;
      if (!isTable(value)) fail(`"${key}" must be a table (an object), got ${kind(value)}.`);
      return value as Table;
    },
    strings: (key, value) => array(key, value)?.map((item, i) => string(`${key}[${i}]`, item)!),
  };
}

/**
 * wrangler's array of tables under `key` (`[[kv_namespaces]]`, `durable_objects.bindings`),
 * each entry read by `read` into its binding name and value; an entry that is not a
 * table is refused with `example`, the entry as it should look.
 */
export function arrayOfTables<T>(
  values: ConfigValues,
  key: string,
  value: unknown,
  example: string,
  read: (entry: Table, where: string) => readonly [binding: string, value: T],
): Record<string, T> {
  const result: Record<string, T> = {};
  (values.array(key, value) ?? []).forEach((entry, i) => {
    const where = `${key}[${i}]`;
    if (!isTable(entry)) values.fail(`"${where}" must be a table like ${example}, got ${kind(entry)}.`);
    const [binding, given] = read(entry, where);
    result[binding] = given;
  });
  return result;
}
