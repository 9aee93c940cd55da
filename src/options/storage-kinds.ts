// One answer per Durable Object class to "SQLite-backed or key-value?", from
// every place a user can say it: the exporting worker's wrangler config
// (`[[migrations]]` or `exports`) and each binding's `useSQLite` (or `:sqlite`
// on the command line). A class is SQLite-backed when any source says so;
// two sources that explicitly disagree are an error naming both.
import type { DeclaredClasses } from "../config/durable-object-classes.js";
import type { StorageKind } from "../objects/class-registry.js";
import { fail } from "./fail.js";
import type { NormalizedBinding } from "./normalized.js";

/** What one worker contributes: its bindings (of its own classes or other workers'), and its config's classes. */
export interface ClassSources {
  readonly name: string;
  /** How its options are named in errors: "" or "workers[0].". */
  readonly prefix: string;
  readonly bindings: readonly NormalizedBinding[];
  readonly config: { readonly file: string; readonly classes: DeclaredClasses } | undefined;
}

/** One source's word on a class, and where it was said (for errors). */
interface Statement {
  readonly kind: StorageKind;
  readonly by: string;
}

const workerLabel = (name: string): string => (name === "" ? "the entry worker" : `worker "${name}"`);

/**
 * The storage kind of each class, by exporting worker then class name: every
 * class some worker binds, and every live class of a worker's config. Throws
 * ERR_OPTIONS when a binding names a class its config removed, or when sources
 * disagree.
 */
export function resolveStorageKinds(workers: readonly ClassSources[]): Map<string, Map<string, StorageKind>> {
  const byName = new Map(workers.map((worker) => [worker.name, worker]));

  /** What a worker's config says of one of its classes; a class transferred in keeps its source's kind, when that worker is configured here. */
  const declared = (workerName: string, className: string, seen: ReadonlySet<string> = new Set()): Statement | undefined => {
    const config = byName.get(workerName)?.config;
    const found = config?.classes.get(className);
    if (config === undefined || found?.state !== "live") return undefined;
    if (found.storage !== undefined) return { kind: found.storage, by: `${found.declaredBy} in ${config.file}` };
    const from = found.transferredFrom;
    const key = `${workerName}#${className}`;
    if (from === undefined || seen.has(key)) return undefined;
    const source = declared(from.script, from.className, new Set([...seen, key]));
    return source && { kind: source.kind, by: `${found.declaredBy} in ${config.file}, which is ${source.by}` };
  };

  const statements = new Map<string, Map<string, Statement[]>>(workers.map((worker) => [worker.name, new Map()]));
  const add = (workerName: string, className: string, statement: Statement | undefined): void => {
    const classes = statements.get(workerName)!;
    const list = classes.get(className) ?? [];
    if (statement !== undefined) list.push(statement);
    classes.set(className, list);
  };

  for (const worker of workers) {
    for (const [className, found] of worker.config?.classes ?? []) {
      if (found.state === "live") add(worker.name, className, declared(worker.name, className));
    }
  }
  for (const worker of workers) {
    for (const { binding, className, scriptName, useSQLite } of worker.bindings) {
      const owner = byName.get(scriptName)!;
      const found = owner.config?.classes.get(className);
      if (found?.state === "removed") {
        fail(
          `The Durable Object binding "${binding}" of ${workerLabel(worker.name)} uses class "${className}" of ${workerLabel(scriptName)}, but that class was ${found.removedBy} in ${owner.config!.file}: bind a class that exists, or create it again in a later migration.`,
        );
      }
      add(
        scriptName,
        className,
        useSQLite === undefined
          ? undefined
          : { kind: useSQLite ? "sqlite" : "key-value", by: `${worker.prefix}durableObjects.${binding} (useSQLite: ${useSQLite})` },
      );
    }
  }

  const kinds = new Map<string, Map<string, StorageKind>>();
  for (const [workerName, classes] of statements) {
    const resolved = new Map<string, StorageKind>();
    for (const [className, list] of classes) {
      const sqlite = list.find((statement) => statement.kind === "sqlite");
      const keyValue = list.find((statement) => statement.kind === "key-value");
      if (sqlite !== undefined && keyValue !== undefined) {
        fail(
          `Durable Object class "${className}" of ${workerLabel(workerName)} is declared SQLite-backed by ${sqlite.by}, and key-value by ${keyValue.by}: every source naming a class must agree.`,
        );
      }
      // Key-value when no source says: Miniflare's default, and the 2022 storage every class had.
      resolved.set(className, sqlite !== undefined ? "sqlite" : "key-value");
    }
    kinds.set(workerName, resolved);
  }
  return kinds;
}
