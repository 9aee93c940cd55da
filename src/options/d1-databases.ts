import type { NormalizedD1Binding } from "./normalized.js";

/**
 * A worker's D1 bindings: the option's (binding names, each its own database,
 * or binding to database id) over its wrangler config's `d1_databases`,
 * binding by binding. A binding the option names keeps the config's
 * `migrations_dir` when both name the same database.
 */
export function normalizeD1Databases(
  option: readonly string[] | Readonly<Record<string, string>> | undefined,
  config: Readonly<Record<string, { databaseId: string; migrationsDir?: string }>> | undefined,
): NormalizedD1Binding[] {
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
}
