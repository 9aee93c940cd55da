// D1 database bindings: `d1Databases` and wrangler's `[[d1_databases]]`.
import * as path from "../../base/path.js";
import { isRecord } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { shape } from "../value-types.js";
import { bindingKind } from "./kind.js";

/** A D1 binding: the database it names (bindings naming one id share a database). */
export interface NormalizedD1Binding {
  readonly binding: string;
  readonly databaseId: string;
  /** wrangler's `migrations_dir`, absolute, when the config gives one. */
  readonly migrationsDir?: string;
}

const EXAMPLE = '{ binding = "DB", database_name = "app", database_id = "…" }';

export const d1Databases = bindingKind<
  string[] | Record<string, string>,
  { databaseId: string; migrationsDir?: string },
  NormalizedD1Binding
>({
  option: "d1Databases",
  declaration: option({
    doc: 'D1 database bindings on `env`: binding names (each its own database) or `{ BINDING: "database-id" }` (bindings naming one id share it); wrangler\'s `d1_databases` gives `binding` and `database_id` (else `database_name`); pass its `migrations_dir` to `readD1Migrations`',
    type: shape<string[] | Record<string, string>>(
      "`string[]` or `{ BINDING: id }`",
      "an array of binding names or an object of binding to database id, such as {example}",
      (value) =>
        (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
        (isRecord(value) && Object.values(value).every((id) => typeof id === "string" && id !== "")),
    ),
    example: '["DB"]',
    wrangler: "d1_databases",
    cli: {
      name: "d1",
      value: "NAME[=ID]",
      multiple: true,
      help: "bind a D1 database; =ID names the database (bindings with one id share it)",
    },
  }),
  noun: "a D1 database binding",
  wrangler: {
    section: "d1_databases",
    read: (config, values: ConfigValues, directory) =>
      arrayOfTables(values, "d1_databases", config.d1_databases, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        if (binding === undefined) values.fail(`"${where}" needs a binding, like ${EXAMPLE}.`);
        const databaseId =
          values.string(`${where}.database_id`, entry.database_id) ??
          values.string(`${where}.database_name`, entry.database_name) ??
          binding;
        const migrationsDir = values.string(`${where}.migrations_dir`, entry.migrations_dir);
        return [
          binding,
          migrationsDir === undefined ? { databaseId } : { databaseId, migrationsDir: path.resolve(directory, migrationsDir) },
        ];
      }),
  },
  // A binding the option names keeps the config's `migrations_dir` when both name the same database.
  normalize: (option, config) => {
    const merged = new Map<string, NormalizedD1Binding>();
    for (const [binding, { databaseId, migrationsDir }] of Object.entries(config ?? {})) {
      merged.set(binding, { binding, databaseId, ...(migrationsDir !== undefined && { migrationsDir }) });
    }
    const given: [string, string][] = Array.isArray(option) ? option.map((name) => [name, name]) : Object.entries(option ?? {});
    for (const [binding, databaseId] of given) {
      const fromConfig = merged.get(binding);
      const migrationsDir = fromConfig?.databaseId === databaseId ? fromConfig.migrationsDir : undefined;
      merged.set(binding, { binding, databaseId, ...(migrationsDir !== undefined && { migrationsDir }) });
    }
    return [...merged.values()];
  },
});
