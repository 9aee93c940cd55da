import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/durabox.js";
import { normalizeOptions, type DuraboxOptions } from "../../src/options.js";
import { optionsError } from "../helpers/options-error.js";

const script = "export class C {} export default { fetch: () => new Response('') }";

/** Each binding kind, in the order names are claimed: how the option and the wrangler config give it the name X, and how errors name it. */
const kinds = [
  { kind: "var", noun: "a plain binding", option: { bindings: { X: 1 } }, config: { vars: { X: 1 } } },
  {
    kind: "Durable Object",
    noun: "a Durable Object binding",
    option: { durableObjects: { X: "C" } },
    config: { durable_objects: { bindings: [{ name: "X", class_name: "C" }] } },
  },
  {
    kind: "service",
    noun: "a service binding",
    option: { serviceBindings: { X: "" } },
    config: { services: [{ binding: "X", service: "" }] },
  },
  { kind: "D1", noun: "a D1 database binding", option: { d1Databases: ["X"] }, config: { d1_databases: [{ binding: "X" }] } },
  { kind: "R2", noun: "an R2 bucket binding", option: { r2Buckets: ["X"] }, config: { r2_buckets: [{ binding: "X" }] } },
  { kind: "KV", noun: "a KV namespace binding", option: { kvNamespaces: ["X"] }, config: { kv_namespaces: [{ binding: "X" }] } },
] as const satisfies readonly { kind: string; noun: string; option: DuraboxOptions; config: Record<string, unknown> }[];

const pairs = kinds.flatMap((first, i) => kinds.slice(i + 1).map((second) => [`${first.kind} and ${second.kind}`, first, second] as const));

function withConfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-collision-"));
  writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify(config));
  return dir;
}

describe("two bindings of different kinds with one name", () => {
  it("has every pair of kinds in the table (15)", () => {
    expect(pairs).toHaveLength(15);
  });

  it.each(pairs)("%s, through options, are refused naming both kinds", (_pair, first, second) => {
    const error = optionsError(() => normalizeOptions({ script, ...first.option, ...second.option }));
    expect(error.message).toBe(`"X" is both ${second.noun} and ${first.noun}: rename one.`);
  });

  it.each(pairs)("%s, through a wrangler config, are refused naming both kinds", (_pair, first, second) => {
    const dir = withConfig({ ...first.config, ...second.config });
    const error = optionsError(() => normalizeOptions({ script, wranglerConfigPath: "wrangler.json" }, dir));
    expect(error.message).toBe(`"X" is both ${second.noun} and ${first.noun}: rename one.`);
  });

  it.each(pairs)("%s, one from the config and one from the options, are refused", (_pair, first, second) => {
    const dir = withConfig(first.config);
    const error = optionsError(() => normalizeOptions({ script, wranglerConfigPath: "wrangler.json", ...second.option }, dir));
    expect(error.message).toBe(`"X" is both ${second.noun} and ${first.noun}: rename one.`);
  });

  it("refuses the R2 bucket and KV namespace that once silently gave env.X the namespace", () => {
    expect(optionsError(() => new Durabox({ script, r2Buckets: ["X"], kvNamespaces: ["X"] })).message).toBe(
      '"X" is both a KV namespace binding and an R2 bucket binding: rename one.',
    );
  });

  it("lets the options replace the config's binding of the same kind", () => {
    const dir = withConfig({ kv_namespaces: [{ binding: "X", id: "from-config" }] });
    const [worker] = normalizeOptions({ script, wranglerConfigPath: "wrangler.json", kvNamespaces: { X: "from-options" } }, dir).workers;
    expect(worker!.kvNamespaces).toEqual([{ binding: "X", id: "from-options" }]);
    expect([...worker!.env]).toEqual([["X", { kind: "kv", value: { binding: "X", id: "from-options" } }]]);
  });
});
