// Timing generated suites (workloads 7a and 8d) and the tables every suite workload shows: each project
// checked once, timed in interleaved rounds, then run once more for the runners' own breakdown.
import path from "node:path";
import { formatValue, progress } from "./report.mjs";
import { median } from "./stats.mjs";
import { SUITES_DIR, VARIANTS, breakdown, runnerVersion, testsOf, timeSuite, verify } from "./suites.mjs";

export function spread(times) {
  if (!times?.length) return undefined;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const sd = Math.sqrt(times.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, times.length - 1));
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), sdMs: sd, runs: times.length };
}

export const seconds = (ms) => (ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`);

/** "Jest 30.5.2" / "Vitest 4.1.12": the runner a variant runs on. */
export const versionOf = (name) => `${VARIANTS[name].runner === "jest" ? "Jest" : "Vitest"} ${runnerVersion(name)}`;

/**
 * Every variant's project is checked once (all its tests pass; also Jest's transform cache warms), then
 * timed `rounds` times in turn (variants interleaved, so drift of a noisy machine spreads over all), each
 * time 1 warm-up + `runsPerRound` timed runs; figures are over all timed runs. Then one more run each, for
 * the runners' own accounts of where the time goes. Returns per variant: checks, stats (spread), parts.
 */
export async function timeVariants(names, rounds, runsPerRound, label = "suite") {
  const checks = {};
  const times = {};
  for (const name of names) {
    progress(`${label}: checking ${name} ...`);
    checks[name] = await verify(name, path.join(SUITES_DIR, name));
    times[name] = [];
  }
  let tool = "hyperfine";
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      if (!checks[name].ok) continue;
      progress(`${label}: ${name}, round ${round}/${rounds} ...`);
      try {
        const result = await timeSuite(name, path.join(SUITES_DIR, name), { runs: runsPerRound });
        tool = result.tool;
        times[name].push(...result.times);
      } catch (error) {
        checks[name] = { ...checks[name], ok: false, error: `failed while timed: ${error.message.split("\n")[0]}` };
      }
    }
  }
  const parts = {};
  for (const name of names) {
    if (!checks[name].ok) continue;
    progress(`${label}: ${name}, breakdown ...`);
    try {
      parts[name] = await breakdown(name, path.join(SUITES_DIR, name));
    } catch (error) {
      console.error(error.message);
    }
  }
  progress("");
  const stats = Object.fromEntries(names.map((name) => [name, checks[name].ok ? spread(times[name]) : undefined]));
  const failures = names.filter((name) => !checks[name].ok).map((name) => ({ name, error: checks[name].error }));
  return { checks, stats, parts, tool, failures };
}

/** The table of runs: one row per variant, with its environment as `environmentOf(name)` names it. */
export function runTable(names, { checks, stats }, environmentOf) {
  const header = ["run", "runner", "environment", "tests passed", "median", "fastest", "slowest", "σ", "timed runs"];
  const rows = names.map((name) => {
    const st = stats[name];
    const check = checks[name];
    const tests = testsOf(name);
    return [
      VARIANTS[name].label,
      versionOf(name),
      environmentOf(name).trim(),
      check.ok ? `${check.passed}/${tests}` : `failed (${check.passed}/${tests})`,
      seconds(st?.medianMs),
      seconds(st?.minMs),
      seconds(st?.maxMs),
      st ? `${(st.sdMs / 1000).toFixed(2)} s` : "—",
      st?.runs ?? 0,
    ];
  });
  return [header, rows];
}

/** The runners' breakdowns: Jest's per-file medians and Vitest's sums, one table each. */
export function breakdownTables(names, parts) {
  const msCell = (value) => formatValue(value, "ms");
  const jestHeader = [
    "run (Jest: per test file, median of the files, ms)",
    "environment load",
    "setup files",
    "framework set-up",
    "test file: imports + tests",
    "whole file (Jest 29: after the environment)",
  ];
  const jestRows = names
    .filter((name) => VARIANTS[name].runner === "jest" && parts[name])
    .map((name) => {
      const p = parts[name];
      return [
        `${VARIANTS[name].label} (${versionOf(name)})`,
        msCell(p.environmentMs),
        msCell(p.setupFilesMs),
        msCell(p.frameworkMs),
        msCell(p.testFileMs),
        msCell(p.fileMs),
      ];
    });
  const vitestHeader = ["run (Vitest: summed over the files, ms)", "environment", "setup", "import", "tests", "transform"];
  const vitestRows = names
    .filter((name) => VARIANTS[name].runner === "vitest" && parts[name])
    .map((name) => {
      const p = parts[name];
      return [
        `${VARIANTS[name].label} (${versionOf(name)})`,
        msCell(p.environmentMs),
        msCell(p.setupMs),
        msCell(p.importMs),
        msCell(p.testsMs),
        msCell(p.transformMs),
      ];
    });
  return { jest: [jestHeader, jestRows], vitest: [vitestHeader, vitestRows] };
}
