import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "../architecture/import-graph.js";

const root = path.resolve(import.meta.dirname, "../..");

/** What `npm pack` would put in the package, relative to its root. */
function packedFiles(): string[] {
  const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })) as {
    files: { path: string }[];
  }[];
  return pack!.files.map((file) => file.path);
}

/** Names of durabox's internals that must not appear in the types users compile against. */
const INTERNAL_NAMES = [
  "ObjectRuntime",
  "ObjectRecord",
  "ObjectTable",
  "ObjectInstance",
  "ClassRegistry",
  "StorageBackend",
  "ObjectStore",
  "LayeredBackend",
  "TransactionLane",
  "StorageHost",
  "storageLayers",
  "envNow",
  "identityOf",
];

describe("the published package", () => {
  const files = packedFiles();
  const declarations = files.filter((file) => file.endsWith(".d.ts"));

  it("ships declarations only for what its entries reach, and none of them names an internal", () => {
    expect(declarations).toContain("dist/index.d.ts");
    // cloudflare:test's ambient module, and the runtime module it re-exports.
    expect(declarations).toEqual(expect.arrayContaining(["types/cloudflare-test.d.ts", "dist/cloudflare-test.d.ts"]));
    // The backends and the object runtime are internal (repairing a directory is public, so its file ships).
    expect(declarations.filter((file) => /backends\/(memory|layered|file|redis)\.d\.ts$|objects\/runtime/.test(file))).toEqual([]);
    const publicEntries = ["dist/index.d.ts", "dist/testing/index.d.ts", "dist/cloudflare-workers.d.ts", "dist/cloudflare-test.d.ts"];
    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const [, specifier] of readFileSync(path.join(root, file), "utf8").matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)) {
        visit(path.join(path.dirname(file), specifier!.replace(/\.js$/, ".d.ts")));
      }
    };
    publicEntries.forEach(visit);
    for (const file of reached) {
      const text = readFileSync(path.join(root, file), "utf8");
      for (const name of INTERNAL_NAMES) expect(text, `${file} names ${name}`).not.toMatch(new RegExp(`\\b${name}\\b`));
      expect(text, file).not.toContain("@internal");
    }
  });

  it("points stack traces at files that ship, with source maps on", () => {
    const script = `import("durabox").then(({ Durabox }) => { try { new Durabox({ bogus: 1 }); } catch (e) { console.log(e.stack); } })`;
    const result = spawnSync(process.execPath, ["--enable-source-maps", "-e", script], { cwd: root, encoding: "utf8" });
    const frames = [...result.stdout.matchAll(/\((\/[^):]+):\d+:\d+\)|at (\/[^\s:]+):\d+:\d+/g)].map((m) => m[1] ?? m[2]!);
    const ours = frames.filter((frame) => frame.startsWith(root + path.sep) && !frame.includes("node_modules"));
    expect(ours.length, result.stdout + result.stderr).toBeGreaterThan(0);
    for (const frame of ours) {
      expect(existsSync(frame), frame).toBe(true);
      expect(files, frame).toContain(path.relative(root, frame));
    }
  });

  it("ships every source file its source maps name", () => {
    const shipped = new Set(files);
    for (const file of sourceFiles("src")) expect(shipped.has(file), file).toBe(true);
  });
});
