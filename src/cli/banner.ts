import * as path from "../base/path.js";
import type { NormalizedOptions } from "../options.js";
import { BINDING_RUNTIMES, type DescribeContext } from "../runtime/binding-runtimes.js";
import { runtimeOf } from "../runtime/build-env.js";

/** What a describer knows besides the binding: its worker and where Durable Object data lives. */
export type BindingContext = DescribeContext;

/**
 * Describes one binding of a worker's env for the start-up banner ("Durable
 * Object Counter (SQLite storage, in memory)"), or returns undefined when the
 * binding is not one it knows. The first that answers wins.
 */
export type BindingDescriber = (name: string, value: unknown, context: BindingContext) => string | undefined;

/** A binding the worker's env map holds: its kind's runtime entry describes it. */
const declared: BindingDescriber = (name, _value, context) => {
  const binding = context.worker.env.get(name);
  return binding === undefined ? undefined : runtimeOf(binding).describe(binding.value, context);
};

/** Anything else on env (a value a test put there): a var's words, or its constructor's name. */
const plainValue: BindingDescriber = (name, value, context) => BINDING_RUNTIMES.var.describe({ binding: name, value }, context);

/** The describers, in order; one put before the last (the catch-all for plain values) takes precedence over it. */
export const BINDING_DESCRIBERS: BindingDescriber[] = [declared, plainValue];

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
