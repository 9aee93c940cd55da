import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("the packages' versions", () => {
  // The environments depend on durabox by `^<its version>`: a release that bumps one must bump all (npm run version:sync).
  it("are in step: each environment has durabox's version and depends on ^that", () => {
    const check = spawnSync(process.execPath, [path.join(root, "scripts", "version-sync.mjs"), "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
