import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported, type Outcome } from "../helpers/runner-report.js";

/**
 * Every way users pick which tests run, on real Jest and real Vitest (child
 * processes) over fixtures/selection, whose tests each check that they start
 * from their describe block's state: a skipped, filtered-out or todo test
 * must neither leave a scope open (the next test was refused as
 * "concurrent") nor let a write through.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = path.join(root, "fixtures", "selection");
const vitestBin = path.join(root, "node_modules", "vitest", "vitest.mjs");
const jestBin = path.join(root, "node_modules", "jest", "bin", "jest.js");

const vitest = (args: string[]): Promise<Outcome> => runReported(vitestBin, ["run", "--reporter=json", ...args], fixture);
const jest = (args: string[]): Promise<Outcome> => runReported(jestBin, ["--json", ...args], fixture);
/** What failed, with why, and every error reported outside a test (a describe block's, a file's). */
const failures = (outcome: Outcome): string[] => outcome.failed.map((failure) => `${failure.name}: ${failure.message}`);

describe("Vitest: selecting tests keeps per-test isolation", { timeout: 120_000 }, () => {
  it("runs the whole file: .skip, .todo, context.skip(), test.each, describe.each, describe.skip, retry", async () => {
    const outcome = await vitest(["test/select.test.js"]);
    expect(failures(outcome)).toEqual([]);
    expect(outcome.passed).toHaveLength(9);
  });

  it("filters by name: -t and --testNamePattern", async () => {
    const short = await vitest(["test/select.test.js", "-t", "fetch"]);
    expect(failures(short)).toEqual([]);
    expect(short.passed).toHaveLength(8);
    expect(short.passed.join("\n")).not.toContain("alarm");
    const long = await vitest(["test/select.test.js", "--testNamePattern", "block [xy]"]);
    expect(failures(long)).toEqual([]);
    expect(long.passed).toEqual([
      "seeded fetch block x counts from its own beforeAll",
      "seeded fetch block y counts from its own beforeAll",
    ]);
  });

  it("runs .only tests and blocks alone", async () => {
    const outcome = await vitest(["test/only.test.js", "--allowOnly"]);
    expect(failures(outcome)).toEqual([]);
    expect(outcome.passed).toEqual(["block only one", "block only two", "only block runs from empty storage"]);
  });

  it("--bail: the tests cancelled after the failure are skipped, not refused", async () => {
    const outcome = await vitest(["test/bail.vitest.mjs", "--bail=1"]);
    expect(failures(outcome)).toEqual([expect.stringMatching(/^second fails on purpose: AssertionError: expected 1 to be 99/)]);
    expect(outcome.passed).toContain("first passes");
  });

  it("re-runs in watch mode (node API): the file, under a name filter, and one test", async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["rerun.mjs"], { cwd: fixture, env: { ...process.env, CI: "true" } }, (error, out, err) =>
        error ? reject(new Error(`rerun.mjs failed: ${err}`)) : resolve(out),
      ),
    );
    const runs = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, { passed: number; failed: string[]; errors: string[] }>;
    const clean = { failed: [], errors: [] };
    expect(runs).toEqual({
      first: { passed: 9, ...clean },
      rerun: { passed: 9, ...clean },
      named: { passed: 8, ...clean },
      one: { passed: 1, ...clean, state: "pass" },
    });
  });
});

describe("Jest: selecting tests keeps per-test isolation", { timeout: 120_000 }, () => {
  it("runs the whole file: .skip, .todo, test.each, describe.each, describe.skip, jest.retryTimes", async () => {
    const outcome = await jest(["test/select.test.js"]);
    expect(failures(outcome)).toEqual([]);
    expect(outcome.passed).toHaveLength(9);
  });

  it("filters by name: -t and --testNamePattern", async () => {
    const short = await jest(["test/select.test.js", "-t", "fetch"]);
    expect(failures(short)).toEqual([]);
    expect(short.passed).toHaveLength(8);
    const long = await jest(["test/select.test.js", "--testNamePattern", "block [xy]"]);
    expect(failures(long)).toEqual([]);
    expect(long.passed).toEqual([
      "seeded fetch block x counts from its own beforeAll",
      "seeded fetch block y counts from its own beforeAll",
    ]);
  });

  it("runs .only tests and blocks alone", async () => {
    const outcome = await jest(["test/only.test.js"]);
    expect(failures(outcome)).toEqual([]);
    expect(outcome.passed).toEqual(["block only one", "block only two", "only block runs from empty storage"]);
  });
});
