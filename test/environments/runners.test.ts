import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported, type Outcome } from "../helpers/runner-report.js";

/**
 * Real Jest and real Vitest, as child processes under plain node, running
 * the example projects and fixtures against the built packages.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const jestBin = path.join(root, "node_modules", "jest", "bin", "jest.js");
const vitestBin = path.join(root, "node_modules", "vitest", "vitest.mjs");

function jest(project: string, extra: string[] = []): Promise<Outcome> {
  return runReported(jestBin, ["--json", ...extra], path.join(root, project));
}

function vitest(project: string, extra: string[] = [], cwd = path.join(root, project)): Promise<Outcome> {
  return runReported(vitestBin, ["run", "--reporter=json", ...extra], cwd);
}

function coverageOf(summaryFile: string, source: string): { lines: number; covered: number } {
  const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, { lines: { total: number; covered: number } }>;
  const entry = summary[source];
  if (entry === undefined) throw new Error(`no coverage for ${source}: ${Object.keys(summary).join(", ")}`);
  return { lines: entry.lines.total, covered: entry.lines.covered };
}

describe("Jest (testEnvironment: durabox)", () => {
  it("runs examples/jest-counter with the preset: isolation, nested beforeAll, alarms, fields, mocks, instanceof, realm", async () => {
    const outcome = await jest("examples/jest-counter");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(15);
  });

  it("counts the object's lines in V8 coverage", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-jest-coverage-"));
    const outcome = await jest("examples/jest-counter", [
      "--coverage",
      "--coverageProvider=v8",
      "--collectCoverageFrom=src/**",
      "--coverageReporters=json-summary",
      `--coverageDirectory=${dir}`,
    ]);
    expect(outcome.failed).toEqual([]);
    const counter = coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/jest-counter/src/index.ts"));
    expect(counter.covered / counter.lines).toBeGreaterThan(0.8);
    // Mocked in the test: its real lines never run.
    expect(coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/jest-counter/src/greeting.ts")).covered).toBe(0);
  });

  it("runs without the preset (durabox bundles the worker), values still of the test's realm, and refuses .concurrent clearly", async () => {
    const outcome = await jest("fixtures/jest-fallback");
    expect(outcome.passed).toHaveLength(2);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]!.message).toContain("concurrent tests would share one Durable Objects runtime");
  });

  it("passes a suite written for jest-environment-miniflare after changing only testEnvironment", async () => {
    const outcome = await jest("fixtures/jest-miniflare-suite");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(4);
  });
});

describe("Vitest (environment: durabox)", () => {
  it("runs examples/vitest-counter with the durabox() helper: isolation, nested beforeAll, alarms, fields, mocks, instanceof", async () => {
    const outcome = await vitest("examples/vitest-counter");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("reads the project's wrangler.toml from Vitest's root when run from another directory (--root)", async () => {
    const outcome = await vitest("examples/vitest-counter", ["--root", "examples/vitest-counter"], root);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("counts the object's lines in V8 coverage", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-vitest-coverage-"));
    const outcome = await vitest("examples/vitest-counter", [
      "--coverage.enabled",
      "--coverage.provider=v8",
      "--coverage.include=src/**",
      "--coverage.reporter=json-summary",
      `--coverage.reportsDirectory=${dir}`,
    ]);
    expect(outcome.failed).toEqual([]);
    const counter = coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/vitest-counter/src/index.ts"));
    expect(counter.covered / counter.lines).toBeGreaterThan(0.8);
    expect(coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/vitest-counter/src/greeting.ts")).covered).toBe(0);
  });

  it("runs without the helper, with unkeyed options and setupIsolatedStorage() (imported, or Miniflare 2's global)", async () => {
    const outcome = await vitest("fixtures/vitest-plain");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(5);
  });

  it("runs files that share one environment (isolate: false, threads and forks) each on a fresh runtime", async () => {
    for (const pool of ["threads", "forks"]) {
      const outcome = await vitest("fixtures/vitest-no-isolate", ["--no-isolate", `--pool=${pool}`, "--maxWorkers=1"]);
      expect(outcome.failed, pool).toEqual([]);
      expect(outcome.passed, pool).toHaveLength(3);
    }
  });

  it("refuses concurrent tests clearly under per-test isolation", async () => {
    const outcome = await vitest("fixtures/vitest-concurrent");
    expect(outcome.failed.map((f) => f.message).join("\n")).toContain("concurrent tests would share one Durable Objects runtime");
  });
});
