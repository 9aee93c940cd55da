import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "./import-graph.js";

describe("docs/ARCHITECTURE.md", () => {
  const page = readFileSync("docs/ARCHITECTURE.md", "utf8");

  it("names every source file (by its path under src/)", () => {
    const missing = sourceFiles("src")
      .map((file) => path.relative("src", file))
      .filter((file) => !page.includes(`\`${file}\``));
    expect(missing).toEqual([]);
  });

  it("names no source file that does not exist", () => {
    const existing = new Set(sourceFiles("src").map((file) => path.relative("src", file)));
    const named = [...page.matchAll(/`((?:[a-z-]+\/)*[a-z-]+\.ts)`/g)].map((m) => m[1]!);
    expect(named.filter((file) => !existing.has(file))).toEqual([]);
  });

  it("names every binding kind, each with a declaration and a runtime entry (the types hold the pairing; test/types/binding-kinds.ts)", async () => {
    const { BINDING_KINDS } = await import("../../src/options/bindings/table.js");
    const { BINDING_RUNTIMES } = await import("../../src/runtime/binding-runtimes.js");
    expect(Object.keys(BINDING_RUNTIMES).sort()).toEqual([...BINDING_KINDS].sort());
    const section = page.slice(page.indexOf("\n## Binding kinds\n"), page.indexOf("\n## Build and package\n"));
    expect(BINDING_KINDS.filter((kind) => !section.includes(`\`${kind}\``))).toEqual([]);
  });

  it("has no table broken by a blank line (a row after a gap renders as literal pipes)", () => {
    expect(page).not.toMatch(/\|\n\n\|/);
  });
});
