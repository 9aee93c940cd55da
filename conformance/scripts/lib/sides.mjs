// Runs one side (workerd or durabox): the suite in tests/, then the runner
// probes, each a separate Vitest invocation whose result is one outcome.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { counts, readReport } from "./outcomes.mjs";

/**
 * Runner behaviours a test file cannot show from inside (issue 19, items 0
 * and 1): each runs the named files with the given arguments and must end
 * with exactly the given counts.
 */
export const PROBES = [
  {
    id: "probes > -t filtering runs only the selected test",
    files: "probes/filter.test.ts",
    args: ["-t", "selected"],
    expect: { passed: 1, failed: 0, skipped: 1 },
  },
  {
    id: "probes > storage is kept across the tests of a file (default config)",
    files: "probes/shared-storage.test.ts",
    args: [],
    expect: { passed: 2, failed: 0, skipped: 0 },
  },
  {
    id: "probes > isolatedStorage: false and singleWorker: true are accepted, storage kept across a file's tests",
    files: "probes/shared-storage.test.ts",
    args: [],
    env: { CONFORMANCE_LEGACY_KEYS: "1" },
    expect: { passed: 2, failed: 0, skipped: 0 },
  },
  {
    id: "probes > --no-isolate: the second file in a worker reaches objects through env",
    files: "probes/no-isolate-a.test.ts,probes/no-isolate-b.test.ts",
    args: ["--no-isolate", "--maxWorkers=1"],
    expect: { passed: 2, failed: 0, skipped: 0 },
  },
];

/**
 * One Vitest invocation: `node vitest.mjs run --config <config>` in root,
 * JSON report and log under resultsDir/<name>. Returns the report's outcomes.
 */
function invoke({ node, vitest, config, root, resultsDir, name, args = [], env = {} }) {
  const report = path.join(resultsDir, `${name}.json`);
  rmSync(report, { force: true });
  const command = [vitest, "run", "--config", config, "--reporter=json", `--outputFile=${report}`, ...args];
  const child = spawnSync("nice", ["-n", "10", node, ...command], {
    cwd: root,
    env: { ...process.env, ...env, CONFORMANCE_ROOT: root, FORCE_COLOR: "0", CI: "true" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(path.join(resultsDir, `${name}.log`), `${child.stdout ?? ""}\n${child.stderr ?? ""}`);
  const result = readReport(report, root);
  return { ...result, status: child.status, log: `${child.stdout ?? ""}\n${child.stderr ?? ""}` };
}

/** Runs the suite and the probes on one side; returns { outcomes, errors }. */
export function runSide({ side, node, vitest, config, root, resultsDir, log = () => {} }) {
  mkdirSync(resultsDir, { recursive: true });
  log(`${side}: running tests/ ...`);
  const suite = invoke({ node, vitest, config, root, resultsDir, name: `${side}-suite` });
  if (suite.missing) {
    const tail = suite.log.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${side}: Vitest wrote no report (exit ${suite.status}); the end of its output:\n${tail}`);
  }
  const outcomes = { ...suite.outcomes };
  const errors = { ...suite.errors };
  PROBES.forEach((probe, index) => {
    log(`${side}: probe ${probe.id} ...`);
    const run = invoke({
      node,
      vitest,
      config,
      root,
      resultsDir,
      name: `${side}-probe-${index}`,
      args: probe.args,
      env: { CONFORMANCE_FILES: probe.files, ...(probe.env ?? {}) },
    });
    const got = counts(run.outcomes);
    const ok =
      run.status === (probe.expect.failed === 0 ? 0 : 1) &&
      got.passed === probe.expect.passed &&
      got.failed === probe.expect.failed &&
      got.skipped === probe.expect.skipped;
    outcomes[probe.id] = ok ? "passed" : "failed";
    if (!ok) {
      const why = Object.values(run.errors)[0] ?? run.log.trim().split("\n").slice(-3).join(" / ");
      errors[probe.id] = `exit ${run.status}, ${JSON.stringify(got)} (wanted ${JSON.stringify(probe.expect)}): ${why}`;
    }
  });
  return { outcomes, errors };
}
