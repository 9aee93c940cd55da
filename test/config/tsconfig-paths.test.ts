import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tsconfigPathCandidates } from "../../src/config/tsconfig-paths.js";

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-tsconfig-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("tsconfigPathCandidates", () => {
  it("maps wildcards against baseUrl, longest prefix first, from a nested directory", () => {
    const dir = project({
      "tsconfig.json": `{ // comments and trailing commas, as tsc allows
        "compilerOptions": { "baseUrl": "./src", "paths": { "@lib/*": ["lib/*", "vendor/*"], "@lib/special/*": ["special/*"], }, },
      }`,
    });
    const from = path.join(dir, "src", "deep");
    expect(tsconfigPathCandidates("@lib/thing", from)).toEqual([path.join(dir, "src/lib/thing"), path.join(dir, "src/vendor/thing")]);
    expect(tsconfigPathCandidates("@lib/special/x", from)).toEqual([path.join(dir, "src/special/x")]);
    expect(tsconfigPathCandidates("lodash", from)).toEqual([]);
    expect(tsconfigPathCandidates("./local", from)).toEqual([]);
  });

  it("inherits paths through extends, relative to the tsconfig that declares them when there is no baseUrl", () => {
    const dir = project({
      "config/base.json": `{ "compilerOptions": { "paths": { "~/*": ["../src/*"] } } }`,
      "tsconfig.json": `{ "extends": "./config/base", "compilerOptions": { "strict": true } }`,
    });
    expect(tsconfigPathCandidates("~/a", dir)).toEqual([path.join(dir, "src/a")]);
  });

  it("ignores tsconfigs under node_modules", () => {
    const dir = project({ "node_modules/pkg/tsconfig.json": `{ "extends": "../missing.json" }` });
    expect(tsconfigPathCandidates("x", path.join(dir, "node_modules/pkg/build"))).toEqual([]);
  });

  it("names the tsconfig it cannot read, and why", () => {
    const broken = project({ "tsconfig.json": `{ "compilerOptions": { "paths": { "@a/*": ["a/*"] }` });
    expect(() => tsconfigPathCandidates("@a/b", broken)).toThrow(
      `Could not read the path aliases of ${path.join(broken, "tsconfig.json")}: not valid JSON`,
    );
    const missing = project({ "tsconfig.json": `{ "extends": "./nope.json" }` });
    expect(() => tsconfigPathCandidates("@a/b", missing)).toThrow(`${path.join(missing, "nope.json")}, which does not exist`);
    const wrong = project({ "tsconfig.json": `{ "compilerOptions": { "paths": { "@a/*": "a/*" } } }` });
    expect(() => tsconfigPathCandidates("@a/b", wrong)).toThrow("`compilerOptions.paths` must map patterns to arrays of paths");
  });
});
