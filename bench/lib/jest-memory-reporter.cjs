// A Jest reporter for workload 7e: after each test file, the resident memory of the Jest worker that ran
// it (VmRSS and its peak VmHWM, from /proc: Linux only) and the heap Jest reports with --logHeapUsage, as
// JSON lines to the file named by DURABOX_BENCH_MEMORY_OUT.
const { appendFileSync, readFileSync, readdirSync } = require("node:fs");

/** The pids of this process's children (the Jest workers). */
function children() {
  const pids = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      pids.push(...readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return pids;
}

/** VmRSS and VmHWM of a process, in MiB. */
function residentMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

module.exports = class MemoryReporter {
  constructor() {
    this.files = 0;
  }
  onTestResult(_test, result) {
    this.files++;
    const workers = children().filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("node");
      } catch {
        return false;
      }
    });
    if (workers.length !== 1) throw new Error(`workload 7e expects exactly one Jest worker, found ${workers.length}`);
    const line = {
      file: this.files,
      ...residentMiB(workers[0]),
      heap: (result.memoryUsage ?? 0) / 2 ** 20,
      failed: result.numFailingTests,
    };
    appendFileSync(process.env.DURABOX_BENCH_MEMORY_OUT, JSON.stringify(line) + "\n");
  }
};
