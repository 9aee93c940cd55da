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
