// bench/lib/process-tree.mjs, on real processes: the peak RSS of each process in a tree, the workers told from
// the runner's main process, CPU time of the whole tree, and the exit code of a failing run.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module of the bench, without types.
import { runTree, treeSupported, workersOf } from "../../bench/lib/process-tree.mjs";

type Proc = { pid: number; ppid: number; name: string; args: string[]; hwmKb: number };

// A parent that forks a child which holds 150 MB for a while, then both exit.
const PARENT = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", "const b = Buffer.alloc(150 * 2 ** 20, 1); setTimeout(() => console.log(b[5]), 600)"], { stdio: "inherit" });
child.on("close", (code) => process.exit(code));
`;

describe.runIf(treeSupported())("process-tree", () => {
  it("reports each process's peak RSS and tells the worker from the main process", async () => {
    const run = await runTree(process.execPath, ["-e", PARENT], { cwd: process.cwd(), env: process.env, sampleMs: 20 });
    expect(run.code).toBe(0);
    expect(run.output.trim()).toBe("1");
    expect(run.cpuS).toBeGreaterThan(0);
    const { main, workers, inBand } = workersOf(run.processes) as { main: Proc; workers: Proc[]; inBand: boolean };
    expect(inBand).toBe(false);
    expect(main.args).toContain(PARENT);
    expect(workers).toHaveLength(1);
    const [worker] = workers as [Proc];
    expect(worker.ppid).toBe(main.pid);
    expect(worker.hwmKb).toBeGreaterThan(150 * 1024);
    // The parent never held the child's buffer.
    expect(main.hwmKb).toBeLessThan(150 * 1024);
  });

  it("counts the main process as the worker when there is no other", async () => {
    const run = await runTree(process.execPath, ["-e", "setTimeout(() => {}, 300)"], { cwd: process.cwd(), env: process.env });
    const { main, workers, inBand } = workersOf(run.processes) as { main: Proc; workers: Proc[]; inBand: boolean };
    expect(inBand).toBe(true);
    expect(workers).toEqual([main]);
    expect(main.hwmKb).toBeGreaterThan(0);
  });

  it("gives a failing command's exit code and still its CPU time", async () => {
    const run = await runTree(process.execPath, ["-e", "process.exit(3)"], { cwd: process.cwd(), env: process.env });
    expect(run.code).toBe(3);
    expect(typeof run.cpuS).toBe("number");
  });
});
