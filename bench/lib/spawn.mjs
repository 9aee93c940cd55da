// Child processes: one per (runtime, workload), so each side starts from a fresh Node.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RUNTIMES } from "./runtimes.mjs";
import { median } from "./stats.mjs";

export const RESULT_MARK = "@@bench-result ";
const LIB = path.dirname(fileURLToPath(import.meta.url));
const QUIET = ["--disable-warning=ExperimentalWarning"];

function node(args, { timeoutMs = 10 * 60_000, execPath = process.execPath } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${execPath} ${args.join(" ")} exited with ${signal ?? code}\n${stderr || stdout}`));
    });
  });
}

/** Runs a workload in a fresh child; `execPath` names another Node binary to run it with (default: this one). */
export async function runWorkload(runtimeName, workloadName, { execPath } = {}) {
  const { nodeFlags } = RUNTIMES[runtimeName];
  const { stdout } = await node([...nodeFlags, ...QUIET, path.join(LIB, "child.mjs"), runtimeName, workloadName], { execPath });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARK));
  if (!line) throw new Error(`${runtimeName}/${workloadName} printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_MARK.length));
}

export async function importTime(runtimeName, runs = 10) {
  const { nodeFlags, entry } = RUNTIMES[runtimeName];
  const times = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await node([...nodeFlags, ...QUIET, path.join(LIB, "import-time.mjs"), entry()]);
    times.push(Number(stdout.trim()));
  }
  return { medianMs: median(times), minMs: Math.min(...times), runs };
}
