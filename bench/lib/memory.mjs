// Workload 7e: the resident memory of one Jest worker running many test files in turn, with durabox and
// with the same tests without it. The suite is 7a's (lib/suites.mjs), generated with MEMORY_FILES files:
// durabox's project (preset, wrangler.toml) and the floor's (Jest's node environment, the Counter class on
// a Map, the same esbuild transform). Jest runs it with one worker process (`--maxWorkers=1` alone runs in
// Jest's own process; a `--workerIdleMemoryLimit` it never reaches makes it a real worker), and a reporter
// (jest-memory-reporter.cjs) reads the worker's VmRSS and VmHWM after every file.
//
// Two modes per project: as a user runs it (the garbage collector left alone: how large the worker gets),
// and with `--expose-gc --logHeapUsage` (Jest forces a full GC after each file: what stays behind).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, generate } from "./suites.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const REPORTER = path.join(path.dirname(fileURLToPath(import.meta.url)), "jest-memory-reporter.cjs");
const JEST = path.join(ROOT, "node_modules", "jest", "bin", "jest.js");

export const MEMORY_FILES = 400;
/** Files after which the worker's memory is reported (the last is MEMORY_FILES). */
export const MEMORY_CHECKPOINTS = [100, MEMORY_FILES];
/** The projects: 7a's variant, and how the tables name it. */
export const MEMORY_PROJECTS = [
  { variant: "durabox-jest", label: "durabox (preset)" },
  { variant: "floor-jest", label: "without durabox (node environment, Counter on a Map)" },
];
const MODES = [
  { name: "natural", label: "GC left alone", nodeOptions: "", args: [] },
  { name: "forced", label: "full GC after each file (--expose-gc --logHeapUsage)", nodeOptions: "--expose-gc", args: ["--logHeapUsage"] },
];

/** Whether this machine can measure it: the reporter reads /proc. */
export const memorySupported = () => existsSync(`/proc/${process.pid}/status`);

function runJest(dir, mode, out) {
  const args = [JEST, "--ci", "--maxWorkers=1", "--workerIdleMemoryLimit=1000GB", `--reporters=${REPORTER}`, ...mode.args];
  const env = { ...childEnv("durabox-jest"), NODE_OPTIONS: mode.nodeOptions, DURABOX_BENCH_MEMORY_OUT: out };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: dir, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/** One project in one mode: the worker's RSS at each checkpoint, its peak, the heap Jest reported last. */
async function measure(dir, mode) {
  const folder = mkdtempSync(path.join(tmpdir(), "durabox-bench-memory-"));
  const out = path.join(folder, "memory.jsonl");
  try {
    const { code, output } = await runJest(dir, mode, out);
    const lines = existsSync(out)
      ? readFileSync(out, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line))
      : [];
    const failed = lines.reduce((sum, line) => sum + line.failed, 0);
    if (code !== 0 || lines.length !== MEMORY_FILES || failed > 0) {
      throw new Error(
        `Jest in ${path.basename(dir)} (${mode.name}): exit ${code}, ${lines.length} files, ${failed} failed:\n${output.slice(-3000)}`,
      );
    }
    const at = (n) => lines[n - 1];
    return {
      rss: Object.fromEntries(MEMORY_CHECKPOINTS.map((n) => [n, at(n).rss])),
      peak: at(MEMORY_FILES).peak,
      heap: mode.name === "forced" ? at(MEMORY_FILES).heap : undefined,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Generates the projects and measures each in each mode, one Jest run at a time. Returns
 * { [mode]: { [variant]: { rss: { 100, 400 }, peak, heap } } }.
 */
export async function runMemory({ progress = () => {} } = {}) {
  // Generated afresh (their Jest transform caches too): each project's first run, with the GC left alone,
  // transforms its files, the same work for both.
  const dirs = Object.fromEntries(
    MEMORY_PROJECTS.map(({ variant }) => [variant, generate(variant, { files: MEMORY_FILES, folder: `memory-${variant}` })]),
  );
  const results = {};
  for (const mode of MODES) {
    results[mode.name] = {};
    for (const { variant } of MEMORY_PROJECTS) {
      const dir = dirs[variant];
      progress(`memory: ${variant}, ${mode.name} ...`);
      results[mode.name][variant] = await measure(dir, mode);
    }
  }
  return results;
}

export { MODES as MEMORY_MODES };
