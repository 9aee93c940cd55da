import type { NormalizedWorker } from "../options.js";
import type { BindingKind, EnvBinding } from "../options/bindings/table.js";
import { BINDING_RUNTIMES, type BindingHost, type BindingRuntime } from "./binding-runtimes.js";

/** The runtime entry of a binding's kind, typed for that binding. */
export function runtimeOf<K extends BindingKind>(binding: EnvBinding<K>): BindingRuntime<K> {
  return BINDING_RUNTIMES[binding.kind] as unknown as BindingRuntime<K>;
}

/** A worker's env: each binding of its env map made by its kind's runtime entry, in the map's order. */
export function buildEnv(worker: NormalizedWorker, host: BindingHost): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const [name, binding] of worker.env) env[name] = runtimeOf(binding).create(binding.value, host);
  return env;
}
