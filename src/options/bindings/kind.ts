// What one kind of binding declares: everything the options and the wrangler
// config say of it, in one record (bindings/table.ts lists them). Modelled on
// Miniflare's one plugin per binding kind; what runs a binding is its runtime
// entry (runtime/binding-runtimes.ts).
import type { ConfigValues, Table } from "../../config/values.js";
import type { OptionDeclaration } from "../declaration.js";

/** Where a binding is being normalised: for errors, and the default of a Durable Object's `scriptName`. */
export interface BindingContext {
  /** How the worker's options are named in errors: "" or "workers[0].". */
  readonly prefix: string;
  readonly workerName: string;
  /** The worker's compatibility settings, for kinds whose defaults follow them (a queue's content type). */
  readonly compatibilityDate: string | undefined;
  readonly compatibilityFlags: readonly string[];
}

/** How a kind is read from a wrangler config. */
export interface WranglerReader<Config> {
  /** The top-level key it lives under, which an `[env.<name>]` section never inherits (wrangler's rule). */
  readonly section: string;
  /** The config's bindings of this kind, by binding name; each error names the key (through `values`). */
  read(config: Table, values: ConfigValues, directory: string): Record<string, Config>;
}

/** One kind of binding, declared once. `Option` is its option's value, `Config` one wrangler entry, `Binding` one normalised binding. */
export interface BindingDeclaration<Option, Config, Binding extends { readonly binding: string }> {
  /** The worker option that gives bindings of this kind (`kvNamespaces`). */
  readonly option: string;
  readonly declaration: OptionDeclaration<Option>;
  /** How errors name one binding of this kind: "a KV namespace binding". */
  readonly noun: string;
  readonly wrangler: WranglerReader<Config>;
  /** The option's bindings over the config's, binding by binding (the option wins), checked. */
  normalize(option: Option | undefined, config: Readonly<Record<string, Config>> | undefined, context: BindingContext): Binding[];
}

/** Declares a binding kind (typed: its three halves agree on the option's, an entry's and a binding's types). */
export function bindingKind<Option, Config, Binding extends { readonly binding: string }>(
  declaration: BindingDeclaration<Option, Config, Binding>,
): BindingDeclaration<Option, Config, Binding> {
  return declaration;
}

/** A record option's two forms as one record: Miniflare 2's array of binding names gives each name as its own value. */
export function namesOrRecord(value: readonly string[] | Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name: string) => [name, name]));
  return { ...(value as Record<string, string>) };
}
