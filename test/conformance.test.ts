// The differential suite (conformance/, issue 19) without workerd: its tests
// and runner probes run on durabox with the root's Node and Vitest, and every
// outcome must equal workerd's recorded one (conformance/workerd-outcomes.json,
// refreshed by `npm run conformance -- --update`) or be listed with a reason
// in conformance/known-differences.json. Fixes make entries stale: the lead
// removes them (the script prints which).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

interface Difference {
  id: string;
  expected: string;
  actual: string;
}

interface Summary {
  unknown: Difference[];
  stale: string[];
  errors: Record<string, string>;
}

it("durabox ends every conformance test as workerd did, but for the known differences", async () => {
  const summaryPath = path.join(mkdtempSync(path.join(tmpdir(), "durabox-conformance-")), "summary.json");
  const run = await promisify(execFile)(
    process.execPath,
    [
      "conformance/scripts/conformance.mjs",
      "--side=durabox",
      `--node=${process.execPath}`,
      "--vitest=node_modules/vitest/vitest.mjs",
      "--config=test/conformance/vitest.config.mjs",
      // A copy outside conformance/, whose node_modules may hold Vitest 5 (.durabox/ is git-ignored).
      "--workdir=.durabox/conformance",
      `--summary=${summaryPath}`,
    ],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
  let summary: Summary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, "utf8")) as Summary;
  } catch {
    throw new Error(`conformance.mjs wrote no summary:\n${run.stdout ?? ""}\n${run.stderr ?? ""}`);
  }
  const unexpected = summary.unknown.map(
    (difference) =>
      `${difference.id}: workerd ${difference.expected}, durabox ${difference.actual} (${summary.errors[difference.id] ?? ""})`,
  );
  expect(unexpected).toEqual([]);
}, 240_000);
