// KV namespace bindings: `kvNamespaces` (Miniflare 2's array of binding names,
// Miniflare 3's record of binding name to namespace id) and wrangler's `[[kv_namespaces]]`.
import { isRecord } from "../../base/describe.js";
import { arrayOfTables, type ConfigValues } from "../../config/values.js";
import { option } from "../declaration.js";
import { shape } from "../value-types.js";
import { bindingKind, namesOrRecord } from "./kind.js";

/** A KV namespace binding: binding name and the namespace id whose data it reads and writes. */
export interface NormalizedKvNamespace {
  readonly binding: string;
  readonly id: string;
}

const EXAMPLE = '{ binding = "CONFIG", id = "<namespace id>" }';

export const kvNamespaces = bindingKind<string[] | Record<string, string>, string, NormalizedKvNamespace>({
  option: "kvNamespaces",
  declaration: option({
    doc: "KV namespace bindings on `env`: binding names (Miniflare 2's form; each name is its namespace's id), or binding name to namespace id (Miniflare 3's); bindings naming one id share its data",
    type: shape<string[] | Record<string, string>>(
      '`["NAME"]` or `{ NAME: "namespace-id" }`',
      "an array of binding names or an object of binding name to namespace id, such as {example}",
      (value) =>
        (Array.isArray(value) && value.every((name) => typeof name === "string" && name !== "")) ||
        (isRecord(value) && Object.values(value).every((id) => typeof id === "string" && id !== "")),
    ),
    example: '{ CONFIG: "config-namespace" }',
    wrangler: "kv_namespaces",
    cli: { name: "kv", short: "k", value: "NAME[=ID]", multiple: true, help: "bind a KV namespace (its id defaults to NAME)" },
  }),
  noun: "a KV namespace binding",
  wrangler: {
    section: "kv_namespaces",
    read: (config, values: ConfigValues) =>
      arrayOfTables(values, "kv_namespaces", config.kv_namespaces, EXAMPLE, (entry, where) => {
        const binding = values.string(`${where}.binding`, entry.binding);
        if (binding === undefined) values.fail(`"${where}" needs a binding, like ${EXAMPLE}.`);
        // Locally the id only tells namespaces apart: without one (wrangler dev allows it), the binding name serves.
        return [binding, values.string(`${where}.id`, entry.id) ?? binding];
      }),
  },
  normalize: (option, config) => Object.entries({ ...config, ...namesOrRecord(option) }).map(([binding, id]) => ({ binding, id })),
});
