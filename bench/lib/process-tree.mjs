// One timed run of a command with what the whole process tree cost: wall time (our own clock, spawn to exit),
// CPU time (user + system of the tree, as /usr/bin/time reports it: every descendant that was waited for) and the
// peak resident memory of each process in the tree, sampled from /proc while it runs (VmHWM, the kernel's own
// high-water mark, so a sample taken after a peak still sees it; a process that grows in the last interval
// before it exits is under-counted by at most that growth). Linux only (/proc/<pid>/task/<pid>/children).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const treeSupported = () => existsSync(`/proc/${process.pid}/task/${process.pid}/children`) && existsSync("/usr/bin/time");

function read(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined; // the process ended between two reads
  }
}

/** The pids of `pid`'s children (those its threads forked: Node spawns from its main thread, but a library may not). */
function childrenOf(pid) {
  const out = [];
  let tasks;
  try {
    tasks = readdirTasks(pid);
  } catch {
    return out;
  }
  for (const task of tasks) {
    const text = read(`/proc/${pid}/task/${task}/children`);
    if (text) for (const child of text.trim().split(/\s+/)) if (child) out.push(Number(child));
  }
  return out;
}

// Only the main thread's list by default: reading every thread's (a Node process has ~10) each tick costs more
// than it finds; DURABOX_BENCH_ALL_TASKS=1 reads them all, to check nothing is missed.
const readdirTasks = (pid) => (process.env.DURABOX_BENCH_ALL_TASKS === "1" ? readdirSync(`/proc/${pid}/task`) : [String(pid)]);

/**
 * Reads the tree under `root` once, updating `seen` (pid → { pid, ppid, name, args, hwmKb }). A forked child is
 * first seen before its exec, as a copy of its parent (the parent's command line, the parent's memory counted):
 * when a process's command line changes it has exec'd, and its peak starts again from what the new program uses.
 */
function sample(root, seen) {
  const queue = [[root, 0]];
  while (queue.length > 0) {
    const [pid, ppid] = queue.shift();
    const status = read(`/proc/${pid}/status`);
    if (status === undefined) continue;
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    const args = (read(`/proc/${pid}/cmdline`) ?? "").split("\0").filter(Boolean);
    // An empty command line: the process is exiting (a zombie); keep what it had.
    if (args.length > 0) {
      const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? "?";
      const entry = seen.get(pid);
      if (entry === undefined || entry.args.join("\0") !== args.join("\0")) seen.set(pid, { pid, ppid, name, args, hwmKb: hwm });
      else entry.hwmKb = Math.max(entry.hwmKb, hwm);
    }
    for (const child of childrenOf(pid)) queue.push([child, pid]);
  }
}

/**
 * Runs `command args` from `cwd` under /usr/bin/time, sampling the tree every `sampleMs`. Resolves
 * `{ code, output, wallS, cpuS, processes }`: output is stdout and stderr together; processes every process seen
 * under the runner (its own, the runner's main process first), each with its peak RSS in kB.
 */
export function runTree(command, args, { cwd, env, sampleMs = 40, timeoutMs = 10 * 60_000 }) {
  const folder = mkdtempSync(path.join(os.tmpdir(), "durabox-real-suites-"));
  const timeFile = path.join(folder, "time");
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%e %U %S", "-o", timeFile, command, ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const seen = new Map();
    const tick = () => sample(child.pid, seen);
    const sampler = setInterval(tick, sampleMs);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearInterval(sampler);
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      const wallS = (performance.now() - start) / 1000;
      clearInterval(sampler);
      clearTimeout(timer);
      let cpuS;
      const line = read(timeFile)?.trim().split("\n").at(-1);
      // /usr/bin/time writes "Command exited with non-zero status N" before its figures.
      if (line && /^[\d.]+ [\d.]+ [\d.]+$/.test(line)) {
        const [, user, sys] = line.split(" ").map(Number);
        cpuS = user + sys;
      }
      rmSync(folder, { recursive: true, force: true });
      // The time process itself is not the runner.
      const processes = [...seen.values()].filter((p) => p.pid !== child.pid);
      resolve({ code: signal ?? code, output, wallS, cpuS, processes });
    });
  });
}

/**
 * The workers among a run's processes: Node processes below the runner's main process (Vitest's forks, Jest's
 * workers) and workerd processes (where the plugin runs the tests). A child only ever seen before its exec (its
 * parent's command line) was missed and is left out. When there are no workers (Jest in band), the main process
 * is the worker. Returns { main, workers, inBand }.
 */
export function workersOf(processes) {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const main = processes.find((p) => !byPid.has(p.ppid));
  const program = (p) => path.basename(p.args[0] ?? "");
  const workers = processes.filter((p) => {
    if (p === main) return false;
    const parent = byPid.get(p.ppid);
    if (parent && parent.args.join("\0") === p.args.join("\0")) return false;
    return program(p) === "node" || program(p) === "workerd" || p.name === "workerd";
  });
  return workers.length > 0 ? { main, workers, inBand: false } : { main, workers: main ? [main] : [], inBand: true };
}
