// A worker's env as one map: each name claimed once, whatever its kind.
import { fail } from "../fail.js";
import type { BindingContext } from "./kind.js";
import { BINDING_DECLARATIONS, BINDING_KINDS, type BindingKind, type BindingOf, type ConfigBindings, type EnvBinding } from "./table.js";

/**
 * Every binding of a worker, its options' (each kind's, by option name) over its config's, kind by kind,
 * normalised and claimed in one map: a name two kinds give is refused with
 * an error naming both.
 */
export function normalizeEnv(
  options: Readonly<Record<string, unknown>>,
  config: ConfigBindings | undefined,
  context: BindingContext,
): ReadonlyMap<string, EnvBinding> {
  const env = new Map<string, EnvBinding>();
  for (const kind of BINDING_KINDS) {
    const declaration = BINDING_DECLARATIONS[kind] as unknown as {
      normalize(option: unknown, config: unknown, context: BindingContext): { readonly binding: string }[];
    };
    for (const value of declaration.normalize(options[BINDING_DECLARATIONS[kind].option], config?.[kind], context)) {
      const claimed = env.get(value.binding);
      if (claimed !== undefined) {
        fail(`"${value.binding}" is both ${BINDING_DECLARATIONS[kind].noun} and ${BINDING_DECLARATIONS[claimed.kind].noun}: rename one.`);
      }
      env.set(value.binding, { kind, value } as EnvBinding);
    }
  }
  return env;
}

/** The env's bindings of one kind, in claim order. */
export function bindingsOf<K extends BindingKind>(env: ReadonlyMap<string, EnvBinding>, kind: K): BindingOf<K>[] {
  const found: BindingOf<K>[] = [];
  for (const binding of env.values()) if (binding.kind === kind) found.push(binding.value as BindingOf<K>);
  return found;
}
