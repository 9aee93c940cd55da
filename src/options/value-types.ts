import { typeName } from "../base/describe.js";
/**
 * What an option accepts, in one place: docs/options.md's type column, the check
 * at the edge, and the "must be ..." of its error. Checks are of the shape
 * only; what needs the whole configuration (files, other workers) is checked
 * where the options are normalised.
 */
export interface ValueType<T> {
  /** docs/options.md's type column (Markdown). */
  readonly label: string;
  accepts(value: unknown): value is T;
  /** What the error says the option must be; `example` is the option's declared example. */
  expected(example: string): string;
  /** How the error shows a refused value; undefined leaves "got ..." out. */
  got(value: unknown): string | undefined;
}

function primitive<T>(name: "string" | "boolean"): ValueType<T> {
  return {
    label: name,
    accepts: (value): value is T => typeof value === name,
    expected: (example) => `a ${name} (for example ${example})`,
    got: typeName,
  };
}

export const string: ValueType<string> = primitive("string");
export const boolean: ValueType<boolean> = primitive("boolean");

/** One of a few strings; the error quotes the value given. */
export function oneOf<const V extends string>(...values: V[]): ValueType<V> {
  const quoted = values.map((value) => JSON.stringify(value));
  return {
    label: quoted.map((value) => `\`${value}\``).join(" or "),
    accepts: (value): value is V => (values as unknown[]).includes(value),
    expected: () => `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`,
    got: (value) => JSON.stringify(value) ?? typeName(value),
  };
}

/**
 * Any other shape: `label` for docs/options.md, `expected` for the error (its
 * `{example}`, if any, is replaced by the option's example).
 */
export function shape<T>(
  label: string,
  expected: string,
  accepts: (value: unknown) => boolean,
  got: (value: unknown) => string | undefined = typeName,
): ValueType<T> {
  return { label, accepts: (value): value is T => accepts(value), expected: (example) => expected.replace("{example}", example), got };
}
