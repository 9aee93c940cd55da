import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Outcome {
  passed: string[];
  failed: { name: string; message: string }[];
  /** The runner's stdout and stderr: where errors outside any test file (an environment failing to start) show. */
  output: string;
  /** The runner's exit code (a process that died after writing its report is not 0). */
  exitCode: number;
}

interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[]; message?: string }[];
}

/**
 * Runs a real Jest or Vitest (`bin`, with its JSON reporter among `args`) as
 * a child of `node`, and reads the report it writes: Jest's `--json` and
 * Vitest's `--reporter=json` share this shape. The report goes to a
 * temporary directory, never into the project run. `extraEnv` is added to
 * the child's environment.
 */
export function runReported(
  bin: string,
  args: string[],
  cwd: string,
  node = process.execPath,
  extraEnv: Record<string, string> = {},
): Promise<Outcome> {
  const out = path.join(mkdtempSync(path.join(tmpdir(), "durabox-report-")), "result.json");
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_OPTIONS: "", CI: "true", ...extraEnv };
    execFile(node, [bin, ...args, `--outputFile=${out}`], { cwd, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      let report: JsonReport;
      try {
        report = JSON.parse(readFileSync(out, "utf8")) as JsonReport;
      } catch {
        reject(new Error(`${path.basename(bin)} wrote no report in ${cwd}:\n${stdout}${stderr}`));
        return;
      }
      const results = report.testResults.flatMap((file) => file.assertionResults);
      resolve({
        output: `${stdout}${stderr}`,
        exitCode: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
        passed: results.filter((r) => r.status === "passed").map((r) => r.fullName),
        failed: [
          ...results.filter((r) => r.status === "failed").map((r) => ({ name: r.fullName, message: r.failureMessages.join("\n") })),
          // A file's own message counts when no failed test of it says it already (a file that failed to
          // load); Jest also repeats its failed tests' messages there.
          ...report.testResults
            .filter((file) => file.message && !file.assertionResults.some((r) => r.status === "failed"))
            .map((file) => ({ name: "(file)", message: file.message! })),
        ],
      });
    });
  });
}
