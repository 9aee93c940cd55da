import type { ValueType } from "./value-types.js";

/** A `durabox` command-line flag that sets an option. */
export interface CliFlag {
  /** The long name, without `--`. */
  readonly name: string;
  readonly short?: string;
  /** The value's placeholder in --help; in brackets (`[PATH|URL]`) when the value may be left out. */
  readonly value?: string;
  /** Whether the flag may be given several times. */
  readonly multiple?: boolean;
  /** Its --help line. */
  readonly help: string;
}

/** One option, declared once: everything else about it is derived from or checked against this. */
export interface OptionDeclaration<T> {
  /** One line for docs/options.md: what the option does. */
  readonly doc: string;
  readonly type: ValueType<T>;
  /** A value as written in code, for errors and docs/options.md. */
  readonly example: string;
  /** What applies when neither the option nor a wrangler config gives a value. */
  readonly default?: NoInfer<T>;
  /** The wrangler config key it is read from, when the option is not given. */
  readonly wrangler?: string;
  readonly cli?: CliFlag;
  /** Required in its object (only the fields of a per-binding object are). */
  readonly required?: true;
}

/** Options by name, in the order they are listed (in errors and docs/options.md). */
export type OptionTable = Readonly<Record<string, OptionDeclaration<unknown>>>;

type ValueOf<D> = D extends { readonly type: ValueType<infer T> } ? T : never;
type RequiredNames<Table> = { [K in keyof Table]: Table[K] extends { readonly required: true } ? K : never }[keyof Table];

/** The TypeScript type of an options object declared by `Table`. */
export type OptionsOf<Table> = { [K in Exclude<keyof Table, RequiredNames<Table>>]?: ValueOf<Table[K]> } & {
  [K in RequiredNames<Table>]: ValueOf<Table[K]>;
};

/** Declares an option (typed: its default is checked against its type, and known to be there when given). */
export function option<T>(
  declaration: OptionDeclaration<T> & { readonly default: NoInfer<T> },
): OptionDeclaration<T> & { readonly default: T };
export function option<T>(declaration: OptionDeclaration<T>): OptionDeclaration<T>;
export function option<T>(declaration: OptionDeclaration<T>): OptionDeclaration<T> {
  return declaration;
}

/** Declares a field that must be given, in an object option's fields. */
export function requiredOption<T>(declaration: OptionDeclaration<T>): OptionDeclaration<T> & { readonly required: true } {
  return { ...declaration, required: true };
}
