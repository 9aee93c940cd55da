import { describe, expect, it } from "vitest";
import { cycles, importsOf, sourceFiles } from "./import-graph.js";

/**
 * The layers of src/, lowest first (docs/ARCHITECTURE.md draws them). A file
 * may import files of its own layer and of layers below it, never above.
 * Matched by path prefix; the first match wins.
 */
const LAYERS: readonly (readonly [layer: string, prefixes: readonly string[]])[] = [
  ["base", ["src/base/"]],
  ["storage", ["src/storage/"]],
  ["sql", ["src/sql/"]],
  ["bindings", ["src/bindings/"]],
  ["rpc", ["src/rpc/"]],
  ["objects", ["src/objects/"]],
  ["worker", ["src/worker/"]],
  ["config", ["src/config/", "src/options/", "src/options.ts"]],
  ["runtime", ["src/durabox.ts", "src/durabox-host.ts", "src/runtime/"]],
  ["testing", ["src/testing/"]],
  ["cli", ["src/cli/"]],
  ["entries", ["src/index.ts", "src/cloudflare-workers.ts", "src/cloudflare-test.ts", "src/cloudflare-workflows.ts"]],
];

function layerOf(file: string): number {
  const at = LAYERS.findIndex(([, prefixes]) => prefixes.some((prefix) => file.startsWith(prefix)));
  if (at === -1) throw new Error(`${file} is in no layer: add its folder to LAYERS (and to docs/ARCHITECTURE.md).`);
  return at;
}

const files = sourceFiles("src");
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the import graph of src/", () => {
  it("has every file in a layer", () => {
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) layerOf(file);
  });

  it("has no import from a lower layer to a higher one", () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (layerOf(target) > layerOf(file)) {
          upward.push(`${file} (${LAYERS[layerOf(file)]![0]}) imports ${target} (${LAYERS[layerOf(target)]![0]})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it("has no cycle, type-only imports included", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("keeps storage/ free of objects/ and storage.ts and transaction.ts free of each other's imports both ways", () => {
    expect(graph.get("src/storage/transaction.ts")).not.toContain("src/storage/storage.ts");
    for (const file of files.filter((f) => f.startsWith("src/storage/"))) {
      expect(graph.get(file)!.filter((target) => target.startsWith("src/objects/"))).toEqual([]);
    }
  });
});

describe("the cycle finder", () => {
  it("finds a cycle of two files and ignores a chain", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["a", "c"]],
      ["c", []],
    ]);
    expect(cycles(graph)).toEqual([["a", "b"]]);
    expect(
      cycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
    ).toEqual([]);
  });
});
