// A Jest reporter for workload 7a's breakdown: writes every test file's perfStats (environment load, setup
// files, start, end, ...) as JSON to the file named by DURABOX_BENCH_PERF_OUT.
const { writeFileSync } = require("node:fs");

module.exports = class PerfStatsReporter {
  constructor() {
    this.files = [];
  }
  onTestResult(_test, result) {
    this.files.push(result.perfStats);
  }
  onRunComplete() {
    writeFileSync(process.env.DURABOX_BENCH_PERF_OUT, JSON.stringify(this.files));
  }
};
