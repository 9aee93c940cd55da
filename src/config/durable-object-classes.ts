// What a wrangler config says of its Durable Object classes: the `[[migrations]]`
// history applied in order, or the declarative `exports` map (2026-06) that
// replaces it. The result is each class's state after the whole config:
// live (with its storage, when the config says it) or removed (and by what).
import type { StorageKind } from "../objects/class-registry.js";
import { isTable, kind, type ConfigValues, type Table } from "./values.js";

/** A class the config leaves existing. */
export interface LiveClass {
  readonly state: "live";
  /** Undefined when the config does not say: renamed from a class no migration created, or transferred in. */
  readonly storage: StorageKind | undefined;
  /** For errors: what declared it, e.g. `new_sqlite_classes of migration "v1"`. */
  readonly declaredBy: string;
  /** A `transferred_classes` entry: the class keeps the storage it had in that worker. */
  readonly transferredFrom?: { readonly script: string; readonly className: string };
}

/** A class the config deleted, renamed away or transferred away. */
export interface RemovedClass {
  readonly state: "removed";
  /** For errors: `deleted by migration "v3"`, `renamed to "B" by exports.A`. */
  readonly removedBy: string;
}

export type DeclaredClass = LiveClass | RemovedClass;

/** Each class the config names, by class name, as the config leaves it. */
export type DeclaredClasses = ReadonlyMap<string, DeclaredClass>;

/** The `exports` entry types: Durable Object classes, and worker entrypoints (which durabox does not read yet). */
const EXPORT_TYPES = ["durable-object", "worker"] as const;
const EXPORT_STATES = ["created", "deleted", "renamed", "transferred", "expecting-transfer"] as const;
/** `storage` values: "legacy-kv" is the 2022 key-value storage. */
const EXPORT_STORAGE: Readonly<Record<string, StorageKind>> = { sqlite: "sqlite", "legacy-kv": "key-value" };

const quoteAll = (values: readonly string[]): string => values.map((value) => `"${value}"`).join(", ");

/** Reads `migrations` and `exports`; they are mutually exclusive for Durable Object classes. */
export function readDurableObjectClasses(config: Table, values: ConfigValues): DeclaredClasses {
  const migrations = values.array("migrations", config.migrations) ?? [];
  const exported = values.table("exports", config.exports);
  const fromExports = exported === undefined ? new Map<string, DeclaredClass>() : readExports(exported, values);
  if (migrations.length > 0 && fromExports.size > 0) {
    values.fail(
      `both "migrations" and "exports" declare Durable Object classes: use one of them ("exports" replaces "migrations"; Cloudflare refuses a config with both).`,
    );
  }
  return migrations.length > 0 ? applyMigrations(migrations, values) : fromExports;
}

/** `[[migrations]]`, in order: each class's state after the last one. */
function applyMigrations(migrations: unknown[], values: ConfigValues): DeclaredClasses {
  const classes = new Map<string, DeclaredClass>();
  const live = (name: string): LiveClass | undefined => {
    const found = classes.get(name);
    return found?.state === "live" ? found : undefined;
  };
  const create = (name: string, created: LiveClass): void => {
    const existing = live(name);
    if (existing !== undefined) {
      values.fail(
        `class "${name}" is created twice: by ${existing.declaredBy}, and again by ${created.declaredBy}. A class is created once; to start it afresh, delete it in a migration first.`,
      );
    }
    classes.set(name, created);
  };

  migrations.forEach((entry, i) => {
    const where = `migrations[${i}]`;
    if (!isTable(entry))
      values.fail(`"${where}" must be a table like { tag = "v1", new_sqlite_classes = ["Counter"] }, got ${kind(entry)}.`);
    const tag = values.string(`${where}.tag`, entry.tag);
    const migration = tag === undefined ? where : `migration "${tag}"`;

    // Renames, transfers and deletions first, then creations: a migration may free a name and reuse it.
    (values.array(`${where}.renamed_classes`, entry.renamed_classes) ?? []).forEach((rename, j) => {
      const key = `${where}.renamed_classes[${j}]`;
      const { from, to } = pair(rename, key, ["from", "to"], '{ from = "Old", to = "New" }', values);
      const source = classes.get(from);
      if (source?.state === "removed") values.fail(`${migration} renames class "${from}", which was ${source.removedBy}.`);
      classes.set(from, { state: "removed", removedBy: `renamed to "${to}" by ${migration}` });
      create(to, {
        state: "live",
        // A class no earlier migration created (an older history, trimmed) keeps the storage it had: unknown here.
        storage: source?.storage,
        declaredBy:
          source === undefined ? `renamed_classes of ${migration}` : `${source.declaredBy} (as "${from}", renamed by ${migration})`,
        ...(source?.transferredFrom !== undefined && { transferredFrom: source.transferredFrom }),
      });
    });
    (values.array(`${where}.transferred_classes`, entry.transferred_classes) ?? []).forEach((transfer, j) => {
      const key = `${where}.transferred_classes[${j}]`;
      const { from, from_script, to } = pair(
        transfer,
        key,
        ["from", "from_script", "to"],
        '{ from = "Old", from_script = "other-worker", to = "New" }',
        values,
      );
      create(to, {
        state: "live",
        storage: undefined,
        declaredBy: `transferred_classes of ${migration} (class "${from}" of worker "${from_script}")`,
        transferredFrom: { script: from_script, className: from },
      });
    });
    for (const name of values.strings(`${where}.deleted_classes`, entry.deleted_classes) ?? []) {
      classes.set(name, { state: "removed", removedBy: `deleted by ${migration}` });
    }
    for (const [key, storage] of [
      ["new_classes", "key-value"],
      ["new_sqlite_classes", "sqlite"],
    ] as const) {
      for (const name of values.strings(`${where}.${key}`, entry[key]) ?? []) {
        create(name, { state: "live", storage, declaredBy: `${key} of ${migration}` });
      }
    }
  });
  return classes;
}

/** A table of required string fields, e.g. a `renamed_classes` entry. */
function pair<K extends string>(
  value: unknown,
  key: string,
  fields: readonly K[],
  example: string,
  values: ConfigValues,
): Record<K, string> {
  if (!isTable(value)) values.fail(`"${key}" must be a table like ${example}, got ${kind(value)}.`);
  const table = value as Table;
  const result = {} as Record<K, string>;
  for (const field of fields) {
    const text = values.string(`${key}.${field}`, table[field]);
    if (text === undefined || text === "") values.fail(`"${key}" needs ${fields.join(", ")}, like ${example}; "${field}" is missing.`);
    result[field] = text!;
  }
  return result;
}

/** The `exports` map: each entry's `state` says whether its class is live. */
function readExports(exported: Table, values: ConfigValues): Map<string, DeclaredClass> {
  const classes = new Map<string, DeclaredClass>();
  const renames: [from: string, to: string][] = [];
  for (const [name, entry] of Object.entries(exported)) {
    const where = `exports.${name}`;
    if (!isTable(entry))
      values.fail(`"${where}" must be a table like { type = "durable-object", storage = "sqlite" }, got ${kind(entry)}.`);
    const type = oneOf(`${where}.type`, entry.type, EXPORT_TYPES, values, true);
    if (type !== "durable-object") continue;
    const state = oneOf(`${where}.state`, entry.state, EXPORT_STATES, values, false) ?? "created";
    const required = (field: string): string => {
      const text = values.string(`${where}.${field}`, entry[field]);
      if (text === undefined || text === "") values.fail(`"${where}" (state "${state}") needs "${field}".`);
      return text!;
    };
    switch (state) {
      case "created":
      case "expecting-transfer": {
        const storage = oneOf(`${where}.storage`, entry.storage, Object.keys(EXPORT_STORAGE), values, true)!;
        if (state === "expecting-transfer") required("transfer_from");
        classes.set(name, { state: "live", storage: EXPORT_STORAGE[storage], declaredBy: `${where} (storage "${storage}")` });
        break;
      }
      case "deleted":
        classes.set(name, { state: "removed", removedBy: `deleted by ${where} (state "deleted")` });
        break;
      case "renamed": {
        const to = required("renamed_to");
        renames.push([name, to]);
        classes.set(name, { state: "removed", removedBy: `renamed to "${to}" by ${where}` });
        break;
      }
      case "transferred":
        classes.set(name, { state: "removed", removedBy: `transferred to "${required("transferred_to")}" by ${where}` });
        break;
    }
  }
  for (const [from, to] of renames) {
    if (classes.get(to)?.state !== "live") {
      values.fail(
        `exports.${from} is renamed to "${to}", but "exports" has no live entry for "${to}": add ${to} = { type = "durable-object", storage = "sqlite" }.`,
      );
    }
  }
  return classes;
}

/** A string field limited to `allowed`; the error lists them. */
function oneOf<V extends string>(
  key: string,
  value: unknown,
  allowed: readonly V[],
  values: ConfigValues,
  required: boolean,
): V | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const got = value === undefined ? "nothing" : typeof value === "string" ? `"${value}"` : kind(value);
    values.fail(`"${key}" must be one of ${quoteAll(allowed)}, got ${got}.`);
  }
  return value as V;
}
