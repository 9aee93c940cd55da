import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported } from "../helpers/runner-report.js";

/**
 * fixtures/d1-suite under real Jest and real Vitest (child processes, the
 * built packages): a D1 binding from wrangler.toml's d1_databases, migrations
 * applied in beforeAll, per-test and per-block isolation, and D1's values and
 * errors, the same suite in both runners.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const project = path.join(root, "fixtures", "d1-suite");
const TESTS = [
  "worker code and the test share the database, with D1's values and errors",
  "the next test sees beforeAll's rows only",
  "a block keeps its beforeAll's rows for its tests",
  "after the block, its rows are gone",
];

describe("D1 under the test environments", { timeout: 90_000 }, () => {
  it("passes the D1 suite under Jest (preset)", async () => {
    const outcome = await runReported(path.join(root, "node_modules", "jest", "bin", "jest.js"), ["--json"], project);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed.sort()).toEqual([...TESTS].sort());
  });

  it("passes the D1 suite under Vitest (durabox())", async () => {
    const outcome = await runReported(path.join(root, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=json"], project);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed.map((name) => name.replace(/^a block > /, "a block ")).sort()).toEqual([...TESTS].sort());
  });
});
