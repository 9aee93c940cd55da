import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeOfMajor, root } from "../helpers/matrix.js";
import { runReported } from "../helpers/runner-report.js";

/**
 * The supported Node majors beside the one running this suite (20): 22, 24
 * and 26, the npm registry's official builds (node-<platform>-<arch>, which
 * ship the binary inside the package), installed under .matrix/ on first
 * use. Each runs the SQLite tests and the example suites on the repository's
 * Jest 30 and Vitest 4. The other runner majors (Jest 29, Vitest 3 and 5),
 * installed from the packed tarballs as a user installs them, run in
 * packed.test.ts.
 */
const MAJORS = [22, 24, 26];
const nodes = new Map<number, string>();

beforeAll(async () => {
  // One at a time: each is an npm install.
  for (const major of MAJORS) nodes.set(major, await nodeOfMajor(major));
}, 600_000);

describe.each(MAJORS)("Node %i", (major) => {
  it("is the Node the runs below use", () => {
    expect(execFileSync(nodes.get(major)!, ["--version"], { encoding: "utf8" })).toMatch(new RegExp(`^v${major}\\.`));
  });

  it("runs the SQLite storage tests on node:sqlite (the driver this Node brings)", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "vitest", "vitest.mjs"),
      ["run", "--reporter=json", "test/sql", "test/objects/sqlite-objects.test.ts"],
      root,
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed.length).toBeGreaterThan(80);
  }, 180_000);

  it("runs the Jest example on Jest 30", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "jest", "bin", "jest.js"),
      ["--json"],
      path.join(root, "examples", "jest-counter"),
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(16);
  }, 120_000);

  it("runs the Vitest example on Vitest 4", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "vitest", "vitest.mjs"),
      ["run", "--reporter=json"],
      path.join(root, "examples", "vitest-counter"),
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  }, 120_000);

  // node:sqlite instead of better-sqlite3 from Node 22.16 on.
  it("runs the SQLite examples on Jest 30 and Vitest 4", async () => {
    const [jestOutcome, vitestOutcome] = [
      await runReported(
        path.join(root, "node_modules", "jest", "bin", "jest.js"),
        ["--json"],
        path.join(root, "examples", "jest-sqlite"),
        nodes.get(major),
      ),
      await runReported(
        path.join(root, "node_modules", "vitest", "vitest.mjs"),
        ["run", "--reporter=json"],
        path.join(root, "examples", "vitest-sqlite"),
        nodes.get(major),
      ),
    ];
    expect(jestOutcome.failed).toEqual([]);
    expect(jestOutcome.passed).toHaveLength(14);
    expect(vitestOutcome.failed).toEqual([]);
    expect(vitestOutcome.passed).toHaveLength(14);
  }, 240_000);
});
