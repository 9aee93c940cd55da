import * as path from "../base/path.js";
import type { NormalizedOptions, NormalizedPersistence, NormalizedWorker } from "../options.js";

/** What a describer knows besides the binding: its worker and where Durable Object data lives. */
export interface BindingContext {
  readonly worker: NormalizedWorker;
  readonly persistence: NormalizedPersistence;
  readonly cwd: string;
}

/**
 * Describes one binding of a worker's env for the start-up banner ("Durable
 * Object Counter (SQLite storage, in memory)"), or returns undefined when the
 * binding is not of its kind. Each binding kind (KV, R2, D1...) adds one to
 * BINDING_DESCRIBERS; the first that answers wins.
 */
export type BindingDescriber = (name: string, value: unknown, context: BindingContext) => string | undefined;

/** Where data lives, in words: "in memory", "persisted to ./data", "persisted to redis://host:6379". */
export function describePersistence(persistence: NormalizedPersistence, cwd: string): string {
  switch (persistence.kind) {
    case "memory":
      return "in memory";
    case "file": {
      const relative = path.relative(cwd, persistence.directory);
      return `persisted to ${relative === "" ? "." : relative.startsWith("..") ? persistence.directory : `./${relative}`}`;
    }
    case "redis":
      // Never print a password.
      return `persisted to ${persistence.url.replace(/\/\/[^@/]*@/, "//***@")}`;
  }
}

const durableObject: BindingDescriber = (name, _value, { worker, persistence, cwd }) => {
  const binding = worker.durableObjects.find((entry) => entry.binding === name);
  if (binding === undefined) return undefined;
  const owner = binding.scriptName === worker.name ? "" : ` of worker "${binding.scriptName}"`;
  const kind = binding.useSQLite === true || worker.storageKinds.get(binding.className) === "sqlite" ? "SQLite" : "key-value";
  return `Durable Object ${binding.className}${owner} (${kind} storage, ${describePersistence(persistence, cwd)})`;
};

const MAX_VALUE = 60;
const plainValue: BindingDescriber = (_name, value) => {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    const text = JSON.stringify(value);
    return `var ${text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text}`;
  }
  if (typeof value === "object") return `${(value as object).constructor?.name ?? "object"}`;
  return typeof value;
};

/** The describers, in order; binding kinds put theirs before the last (the catch-all for plain values). */
export const BINDING_DESCRIBERS: BindingDescriber[] = [durableObject, plainValue];

export function describeBinding(name: string, value: unknown, context: BindingContext): string {
  for (const describer of BINDING_DESCRIBERS) {
    const text = describer(name, value, context);
    if (text !== undefined) return text;
  }
  return typeof value;
}

/** The banner's lines: each worker (the entry first), its source, and each binding of its env with what it is. */
export function bannerLines(
  options: NormalizedOptions,
  envs: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  cwd: string,
): string[] {
  const lines: string[] = [];
  options.workers.forEach((worker, i) => {
    const source =
      worker.source === undefined ? "no script" : worker.source.kind === "path" ? path.relative(cwd, worker.source.path) : "inline script";
    lines.push(`${i === 0 ? "worker" : "also worker"}${worker.name === "" ? "" : ` "${worker.name}"`} (${source})`);
    const env = envs.get(worker.name) ?? {};
    const names = Object.keys(env);
    if (names.length === 0) lines.push("  no bindings");
    const width = Math.max(...names.map((name) => name.length));
    for (const name of names) {
      lines.push(`  ${name.padEnd(width)}  ${describeBinding(name, env[name], { worker, persistence: options.persistence, cwd })}`);
    }
  });
  return lines;
}
