// Outcomes: one word per test ("passed", "failed", "skipped"), keyed by
// "<file> > <describe> > <test>", read from Vitest's JSON reporter; and the
// comparison of two sides against a list of known differences.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";

/**
 * Reads a JSON report into { outcomes, errors }. A file that failed to load
 * (no test results) is recorded under "<file> > (file)" as failed, so a
 * config error on one side shows instead of silently dropping tests.
 */
export function readReport(reportPath, root) {
  const outcomes = {};
  const errors = {};
  if (!existsSync(reportPath)) return { outcomes, errors, missing: true };
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  for (const file of report.testResults ?? []) {
    const relative = path.relative(root, file.name).split(path.sep).join("/");
    if ((file.assertionResults ?? []).length === 0 && file.status === "failed") {
      outcomes[`${relative} > (file)`] = "failed";
      errors[`${relative} > (file)`] = firstLine(file.message);
    }
    for (const test of file.assertionResults ?? []) {
      const id = [relative, ...test.ancestorTitles, test.title].join(" > ");
      outcomes[id] = normalise(test.status);
      if (test.status === "failed") errors[id] = firstLine((test.failureMessages ?? [])[0]);
    }
  }
  return { outcomes, errors, missing: false };
}

function normalise(status) {
  if (status === "passed" || status === "failed") return status;
  return "skipped";
}

export function firstLine(text) {
  return stripVTControlCharacters(String(text ?? ""))
    .split("\n")
    .find((line) => line.trim() !== "")
    ?.trim()
    .slice(0, 300);
}

export function counts(outcomes) {
  const result = { passed: 0, failed: 0, skipped: 0 };
  for (const outcome of Object.values(outcomes)) result[outcome] += 1;
  return result;
}

/**
 * Every test whose outcome differs ("missing" where one side has no such
 * test), split into known (listed with a reason) and new; plus the listed
 * differences that no longer differ (stale: the fix landed).
 */
export function compare(reference, candidate, known) {
  const ids = [...new Set([...Object.keys(reference), ...Object.keys(candidate)])].sort();
  const differences = [];
  for (const id of ids) {
    const expected = reference[id] ?? "missing";
    const actual = candidate[id] ?? "missing";
    if (expected !== actual) differences.push({ id, expected, actual, reason: known[id] ?? null });
  }
  const differing = new Set(differences.map((difference) => difference.id));
  const stale = Object.keys(known).filter((id) => !differing.has(id));
  return {
    known: differences.filter((difference) => difference.reason !== null),
    unknown: differences.filter((difference) => difference.reason === null),
    stale,
  };
}
