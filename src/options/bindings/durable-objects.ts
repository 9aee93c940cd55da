// Durable Object bindings: `durableObjects` and wrangler's `durable_objects.bindings`.
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { isRecord, typeName } from "../../base/describe.js";
import { checkValues } from "../check.js";
import { option, requiredOption, type OptionsOf, type OptionTable } from "../declaration.js";
import { fail } from "../fail.js";
import { checkOptionKeys } from "../unknown.js";
import { boolean, shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

const isString = (value: unknown): boolean => typeof value === "string";

/** The object form of a Durable Object binding: `durableObjects: { NAME: { className, ... } }`. */
export const durableObjectBindingOptions = {
  className: requiredOption({
    doc: "the class, as the script exports it",
    type: shape<string>("string", "a class name (a string)", (value) => typeof value === "string" && value !== ""),
    example: '"Counter"',
  }),
  scriptName: option({
    doc: "the name of the worker exporting the class (default: this worker)",
    type: shape<string>("string", "a worker's name (a string)", isString),
    example: '"api"',
  }),
  useSQLite: option({
    doc: 'whether the class is SQLite-backed (`false`: key-value); wrangler\'s `new_sqlite_classes` migrations and `exports` with `storage = "sqlite"` say so too, and every source naming the class must agree',
    type: boolean,
    example: "true",
  }),
} satisfies OptionTable;

/** A Durable Object binding's object form: a class, of this worker or of the worker `scriptName` names. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DurableObjectBindingOptions extends OptionsOf<typeof durableObjectBindingOptions> {}

export interface NormalizedBinding {
  readonly binding: string;
  readonly className: string;
  /** The worker exporting the class. */
  readonly scriptName: string;
  /** What the binding says of the class's storage, when it says (`useSQLite`, or `:sqlite` on the command line). */
  readonly useSQLite?: boolean;
}

const FIELDS = Object.keys(durableObjectBindingOptions);
const fields = Object.entries(durableObjectBindingOptions as OptionTable);
/** The object form's fields as docs/options.md shows them: "className, scriptName?". */
const bindingFields = fields.map(([name, field]) => `${name}${field.required ? "" : "?"}`).join(", ");
/** The object form as errors show it: `{ className: "Counter", scriptName?: "api" }`. */
const OBJECT_FORM = `{ ${fields.map(([name, field]) => `${name}${field.required ? "" : "?"}: ${field.example}`).join(", ")} }`;
const EXAMPLE = '{ name = "COUNTER", class_name = "Counter" }';

export const durableObjectBindings = bindingKind<
  Record<string, string | DurableObjectBindingOptions>,
  { className: string; scriptName?: string },
  NormalizedBinding
>({
  option: "durableObjects",
  declaration: option({
    doc: "Durable Object bindings on `env`: binding name to class name, or to an object of the `durableObjects.BINDING` fields; `scriptName` uses a class exported by another worker",
    type: shape<Record<string, string | DurableObjectBindingOptions>>(
      `\`{ BINDING: "ClassName" }\` or \`{ BINDING: { ${bindingFields} } }\``,
      "an object such as {example}",
      isRecord,
    ),
    example: '{ COUNTER: "Counter" }',
    wrangler: "durable_objects.bindings",
    cli: {
      name: "do",
      short: "o",
      value: "NAME=Class[@script][:sqlite]",
      multiple: true,
      help: "bind a Durable Object class; @script names the worker exporting it, :sqlite makes the class SQLite-backed",
    },
  }),
  noun: "a Durable Object binding",
  wrangler: {
    section: "durable_objects",
    read: (config, values: ConfigValues) =>
      arrayOfTables(
        values,
        "durable_objects.bindings",
        values.table("durable_objects", config.durable_objects)?.bindings,
        EXAMPLE,
        (entry, where) => {
          const binding = values.string(`${where}.name`, entry.name);
          const className = values.string(`${where}.class_name`, entry.class_name);
          if (binding === undefined || className === undefined) values.fail(`"${where}" needs both name and class_name, like ${EXAMPLE}.`);
          const scriptName = values.string(`${where}.script_name`, entry.script_name);
          return [binding, scriptName === undefined ? { className } : { className, scriptName }];
        },
      ),
  },
  normalize: (option, config, { prefix, workerName }) =>
    Object.entries({ ...config, ...option }).map(([binding, entry]: [string, unknown]) => {
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
    }),
});
