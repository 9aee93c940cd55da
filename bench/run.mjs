// durabox vs Miniflare 2 benchmark. Usage: npm run build && npm run bench [-- --rounds N --only fetch,list --suite-runs N]
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensurePeer, ensureRedisPeer, miniflareRedisVersions, miniflareVersion } from "./lib/peer.mjs";
import { REDIS_URL_ENV, startRedis } from "./lib/redis.mjs";
import { DIST_SNAPSHOT, DURABOX_ENTRY_ENV } from "./lib/runtimes.mjs";
import { runWorkload, importTime } from "./lib/spawn.mjs";
import { median } from "./lib/stats.mjs";
import { rowsOf, textTable, markdownTable, gridText, gridMarkdown, progress } from "./lib/report.mjs";
import { breakdownTables, runTable, seconds, timeVariants, versionOf } from "./lib/suite-runs.mjs";
import {
  COUNTER_TESTS,
  FETCHES,
  FILES,
  TESTS_PER_FILE,
  TOTAL_TESTS,
  VARIANTS,
  WORKERS,
  SQL_SUITE_VARIANTS,
  ensureSuitePeers,
  generate,
  hyperfineVersion,
  peerVersion,
  rootVersion,
  stagePackages,
} from "./lib/suites.mjs";
import { VARIANT_NAMES as ENV_SETUP_VARIANTS } from "./workloads/env-setup.mjs";
import { MEMORY_CHECKPOINTS, MEMORY_FILES, MEMORY_MODES, MEMORY_PROJECTS, memorySupported, runMemory } from "./lib/memory.mjs";
import { ensureNodeBuild, nodeBuildVersion } from "./lib/node-builds.mjs";
import { ITEM_TESTS } from "./lib/sql-suite.mjs";
import { SQLITE_HEADER, runSqlSuites, sqliteSection, sqliteTextTable, withSqliteSection } from "./lib/sqlite-section.mjs";
import { runWebSocketSection } from "./lib/websockets-section.mjs";
import { sectionOf, withSection } from "./lib/sections.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH, "..");

const throughputRows = [
  { label: "throughput", key: "opsPerSec", unit: "ops/s", better: "higher" },
  { label: "mean latency", key: "meanMs", unit: "ms", better: "lower" },
  { label: "p99 latency", key: "p99Ms", unit: "ms", better: "lower" },
  { label: "relative margin of error", key: "rmePct", unit: "%" },
];

// 6b and 6d: a list of 1,000 keys from a new instance (bench/lib/persistence.mjs).
const freshListRows = [
  { label: "median", key: "medianMs", unit: "ms", better: "lower" },
  { label: "fastest", key: "minMs", unit: "ms", better: "lower" },
  { label: "first repeat (first reopen in the process)", key: "coldMs", unit: "ms", better: "lower" },
  { label: "construct + getDurableObjectNamespace + the above, median", key: "totalMedianMs", unit: "ms", better: "lower" },
  { label: "writing the 1,000 keys first (put ×8)", key: "seedMs", unit: "ms", better: "lower" },
];

// 8a-8d, SQLite-backed objects: durabox against the floor (the same work on the driver, or in a test
// runner's node environment with a hand-written fake); Miniflare 2 has no SQL storage. RESULTS.md keeps them
// in a section of their own (lib/sqlite-section.mjs), which `--only sqlite` rewrites alone.
const sqlExecRows = [
  {
    label: "point select by primary key over 10,000 rows: exec(…).one() (floor: get())",
    key: "selectOpsPerSec",
    unit: "ops/s",
    better: "higher",
  },
  {
    label: "insert, 100 in one synchronous run, its commit included (floor: between BEGIN and COMMIT)",
    key: "insertRunOpsPerSec",
    unit: "ops/s",
    better: "higher",
  },
  {
    label: "insert, one per synchronous run, each committed (floor: autocommit)",
    key: "insertEachOpsPerSec",
    unit: "ops/s",
    better: "higher",
  },
  { label: "floor only: one insert per run between SAVEPOINT and RELEASE", key: "insertEachSavepointOpsPerSec", unit: "ops/s" },
  { label: "mean time per point select", key: "selectMeanUs", unit: "µs", better: "lower" },
  { label: "mean time per insert, 100 in one run", key: "insertRunMeanUs", unit: "µs", better: "lower" },
  { label: "mean time per insert, one per run", key: "insertEachMeanUs", unit: "µs", better: "lower" },
  { label: "relative margin of error (worst of the three)", key: "maxRmePct", unit: "%" },
  { label: "driver", key: "driver" },
];

const atLeast = (share, key, text) => ({
  text: `durabox ≥ ${share}× the driver: ${text}`,
  met: (d, f) => d[key] >= share * f[key],
  detail: (d, f) => `${fmtRatio(d[key] / f[key])}`,
});

const sqlExecTargets = [
  atLeast(0.7, "selectOpsPerSec", "point select"),
  atLeast(0.7, "insertRunOpsPerSec", "insert, 100 in one run"),
  {
    ...atLeast(0.7, "insertEachOpsPerSec", "insert, one per run"),
    detail: (d, f) =>
      `${fmtRatio(d.insertEachOpsPerSec / f.insertEachOpsPerSec)}; the driver itself, with a savepoint around each insert as durabox's ` +
      `implicit transaction needs, runs at ${fmtRatio(f.insertEachSavepointOpsPerSec / f.insertEachOpsPerSec)} of its autocommit, ` +
      `and durabox at ${fmtRatio(d.insertEachOpsPerSec / f.insertEachSavepointOpsPerSec)} of that`,
  },
];

const layerRows = (prefix, label, rows) => [
  ...rows.map((count) => ({
    label: `${label}, ${count.toLocaleString("en-US")} rows stored, mean`,
    key: `${prefix}${count}MeanUs`,
    unit: "µs",
    better: "lower",
  })),
  {
    label: `${label}, ${rows.at(-1).toLocaleString("en-US")} rows stored, median`,
    key: `${prefix}${rows.at(-1)}MedianUs`,
    unit: "µs",
    better: "lower",
  },
  {
    label: `${label}, ${rows.at(-1).toLocaleString("en-US")} rows stored, p99`,
    key: `${prefix}${rows.at(-1)}P99Us`,
    unit: "µs",
    better: "lower",
  },
];

const ISOLATION_ROWS = [0, 10_000, 100_000];
const largest = ISOLATION_ROWS.at(-1);

const SQLITE_WORKLOADS = [
  {
    name: "sql-exec",
    group: "sqlite",
    sides: ["durabox", "floor"],
    title: "8a. sql.exec in a SQLite-backed object against the same statements on the driver, on the Node running the bench",
    short: "8a. sql.exec vs the driver",
    rows: sqlExecRows,
    summary: ["selectOpsPerSec", "insertRunOpsPerSec", "insertEachOpsPerSec"],
    targets: sqlExecTargets,
  },
  {
    name: "sql-exec-node24",
    parts: ["sql-exec"],
    node: 24,
    group: "sqlite",
    sides: ["durabox", "floor"],
    title: "8b. the same on Node 24 (the registry's build), where durabox uses node:sqlite",
    short: "8b. sql.exec vs the driver, Node 24",
    rows: sqlExecRows,
    summary: ["selectOpsPerSec", "insertRunOpsPerSec", "insertEachOpsPerSec"],
    targets: sqlExecTargets,
  },
  {
    name: "sql-isolation",
    group: "sqlite",
    sides: ["durabox", "floor"],
    title: "8c. per-test isolation of a SQLite-backed object with 0, 10,000 and 100,000 rows stored: enter a scope, insert one row, exit",
    short: "8c. per-test scope over stored rows",
    rows: [
      ...layerRows("layers", "runtime pushLayer + insert + popLayer (floor: SAVEPOINT, INSERT, ROLLBACK TO, RELEASE)", ISOLATION_ROWS),
      ...layerRows("scopes", "TestRuntime enterScope + insert + exitScope", ISOLATION_ROWS),
      { label: "seeding 100,000 rows (sql.exec inserts in one run)", key: "seedMs", unit: "ms", better: "lower" },
      { label: "driver", key: "driver" },
    ],
    summary: [`layers${largest}MeanUs`, `scopes0MeanUs`, `scopes${largest}MeanUs`],
    target: {
      text: `durabox ≤ 100 µs per test scope with ${largest.toLocaleString("en-US")} rows stored (runtime layers and TestRuntime scopes, mean)`,
      met: (d) => d[`layers${largest}MeanUs`] <= 100 && d[`scopes${largest}MeanUs`] <= 100,
      detail: (d) =>
        `${largest.toLocaleString("en-US")} rows against none: ${fmtRatio(d[`layers${largest}MeanUs`] / d.layers0MeanUs)} the time with runtime layers, ` +
        `${fmtRatio(d[`scopes${largest}MeanUs`] / d.scopes0MeanUs)} with TestRuntime scopes`,
    },
  },
  {
    name: "sql-suite",
    kind: "sql-suite",
    group: "sqlite",
    title: `8d. test suite of a SQLite-backed class: ${FILES} files × ${ITEM_TESTS + 2} tests under real Jest and Vitest, ${WORKERS} workers, whole-run wall time`,
    short: "8d. SQLite suite under Jest and Vitest",
    rows: [
      { label: "Jest, whole suite, median wall time", key: "jestMs", unit: "ms", better: "lower" },
      { label: "Vitest, whole suite, median wall time", key: "vitestMs", unit: "ms", better: "lower" },
    ],
    summary: ["jestMs", "vitestMs"],
    targets: [
      {
        text: "durabox Jest ≤ 1.3× its floor",
        met: (d, f) => d.jestMs <= 1.3 * f.jestMs,
        detail: (d, f) => `${fmtRatio(d.jestMs / f.jestMs)} the floor`,
      },
      {
        text: "durabox Vitest ≤ 1.3× its floor",
        met: (d, f) => d.vitestMs <= 1.3 * f.vitestMs,
        detail: (d, f) => `${fmtRatio(d.vitestMs / f.vitestMs)} the floor`,
      },
    ],
  },
];

const WORKLOADS = [
  {
    name: "fetch",
    title: "1. stub.fetch sequential (Counter: storage get + put, Response body read)",
    rows: throughputRows,
    target: { text: "durabox ≥ 10× Miniflare 2 ops/s", met: (d, m) => d.opsPerSec / m.opsPerSec >= 10 },
  },
  {
    name: "storage",
    title: "2. storage put + get sequential, from outside (getDurableObjectStorage)",
    rows: throughputRows,
    target: { text: "durabox ≥ 3× Miniflare 2 ops/s", met: (d, m) => d.opsPerSec / m.opsPerSec >= 3 },
  },
  {
    name: "list",
    title: "3. storage.list({ start: random key, limit: 1000 }) over 10,000 keys",
    rows: [
      { label: "pages per second", key: "opsPerSec", unit: "ops/s", better: "higher" },
      { label: "mean time per page", key: "meanMs", unit: "ms", better: "lower" },
      { label: "p99 time per page", key: "p99Ms", unit: "ms", better: "lower" },
      { label: "seeding 10,000 keys (put ×128)", key: "seedMs", unit: "ms", better: "lower" },
    ],
    target: { text: "durabox < 1 ms per page", met: (d) => d.meanMs < 1 },
  },
  {
    name: "transaction",
    title: "4. 50 concurrent storage.transaction() increments of one key (20 timed repeats after 20 warm-up)",
    rows: [
      { label: "median wall time", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest wall time", key: "minMs", unit: "ms", better: "lower" },
      { label: "first repeat, cold", key: "coldMs", unit: "ms", better: "lower" },
      { label: "closure calls (median)", key: "medianCalls", unit: "count", better: "lower" },
      { label: "closure calls (worst)", key: "maxCalls", unit: "count", better: "lower" },
      { label: "final value(s)", key: "finalValues" },
      { label: "final value 50 every repeat", key: "allCorrect" },
    ],
    summary: ["medianMs", "maxCalls", "allCorrect"],
    target: {
      text: "durabox ≤ 100 closure calls, final value 50",
      met: (d) => d.maxCalls <= 100 && d.allCorrect,
    },
  },
  {
    name: "startup",
    // The extra row needs a process of its own (its figure is the first instance of a fresh process).
    parts: ["startup", "startup-fetch-loaded"],
    title: "5a. new instance + first dispatchFetch, inline script (30 fresh instances per variant)",
    rows: [
      { label: "median, same script", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest, same script", key: "minMs", unit: "ms", better: "lower" },
      { label: "first instance (cold process)", key: "coldMs", unit: "ms", better: "lower" },
      { label: "first instance, platform fetch already loaded", key: "fetchLoadedColdMs", unit: "ms", better: "lower" },
      { label: "median, different script each", key: "uniqueMedianMs", unit: "ms", better: "lower" },
    ],
    summary: ["medianMs", "coldMs", "fetchLoadedColdMs", "uniqueMedianMs"],
    targets: [
      { text: "durabox ≤ 5 ms construct + first dispatch (median instance)", met: (d) => d.medianMs <= 5 },
      { text: "≤ 5 ms for the first instance of a process, platform fetch already loaded", met: (d) => d.fetchLoadedColdMs <= 5 },
      { text: "≤ 5 ms for the first instance of a cold process", met: (d) => d.coldMs <= 5 },
    ],
  },
  {
    name: "import",
    title: "5b. package import time (fresh node process, median of 10)",
    rows: [
      { label: "median", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest", key: "minMs", unit: "ms", better: "lower" },
    ],
  },
  {
    name: "startup-path",
    title:
      "5c. new instance from scriptPath + first dispatchFetch (durabox: a TypeScript file; Miniflare 2: the same worker as .mjs, as it cannot load TypeScript)",
    rows: [
      { label: "worker file loaded", key: "scriptFile" },
      { label: "construct + ready, cold process", key: "coldReadyMs", unit: "ms", better: "lower" },
      { label: "construct + ready + first dispatch, cold process", key: "coldMs", unit: "ms", better: "lower" },
      { label: "second instance, same scriptPath", key: "secondMs", unit: "ms", better: "lower" },
      { label: "median of 10 more instances", key: "laterMedianMs", unit: "ms", better: "lower" },
      // Not runtime work: esbuild alone, in the same process after the instances (no ratio).
      { label: "esbuild import, after the instances", key: "esbuildImportMs", unit: "ms" },
      { label: "esbuild.build(counter-worker.ts), first call after the instances", key: "esbuildFirstMs", unit: "ms" },
      { label: "esbuild.build(counter-worker.ts), median of 5 more", key: "esbuildMedianMs", unit: "ms" },
    ],
    summary: ["scriptFile", "coldMs", "secondMs", "esbuildFirstMs"],
  },
  {
    name: "persist-put",
    title: "6a. file persistence: storage.put sequential over 1,000 keys (durableObjectsPersist: a temporary directory)",
    rows: [
      { label: "puts per second", key: "opsPerSec", unit: "ops/s", better: "higher" },
      { label: "mean latency", key: "meanMs", unit: "ms", better: "lower" },
      { label: "p99 latency", key: "p99Ms", unit: "ms", better: "lower" },
      { label: "relative margin of error", key: "rmePct", unit: "%" },
      { label: "last values read back by a new instance", key: "readBack" },
    ],
    target: { text: "durabox ≥ 2× Miniflare 2 puts/s", met: (d, m) => d.opsPerSec / m.opsPerSec >= 2 },
  },
  {
    name: "persist-list",
    title: "6b. file persistence: getDurableObjectStorage + list() of 1,000 keys in a new instance on the directory (10 repeats)",
    rows: freshListRows,
    summary: ["medianMs", "coldMs"],
    target: { text: "durabox ≤ 1/5 of Miniflare 2's time (median)", met: (d, m) => d.medianMs * 5 <= m.medianMs },
  },
  {
    name: "redis-put",
    // Needs a redis-server: main() starts one (skipped, not failed, when none is installed).
    needs: "redis",
    title: "6c. Redis persistence: storage.put sequential over 1,000 keys (durableObjectsPersist: redis://127.0.0.1:<port>)",
    rows: [
      { label: "puts per second, inside an object (stub.fetch of 100 awaited puts)", key: "opsPerSec", unit: "ops/s", better: "higher" },
      { label: "mean time per stub.fetch of 100 puts", key: "fetchMeanMs", unit: "ms", better: "lower" },
      { label: "relative margin of error (inside)", key: "fetchRmePct", unit: "%" },
      { label: "puts per second, from outside (getDurableObjectStorage)", key: "outsideOpsPerSec", unit: "ops/s", better: "higher" },
      { label: "mean latency, from outside", key: "outsideMeanMs", unit: "ms", better: "lower" },
      { label: "p99 latency, from outside", key: "outsideP99Ms", unit: "ms", better: "lower" },
      { label: "relative margin of error (outside)", key: "outsideRmePct", unit: "%" },
      { label: "floor: ioredis SET awaited in a loop (one round trip)", key: "floorOpsPerSec", unit: "ops/s" },
      { label: "last values read back by a new instance", key: "readBack" },
      { label: "Redis keys holding the 2 × 1,000 storage keys", key: "redisKeys", unit: "count" },
    ],
    summary: ["opsPerSec", "outsideOpsPerSec", "floorOpsPerSec"],
    target: {
      text: "durabox ≥ 1.5× Miniflare 2 puts/s (inside an object)",
      met: (d, m) => d.opsPerSec / m.opsPerSec >= 1.5,
      detail: (d, m) =>
        `${fmtRatio(d.opsPerSec / m.opsPerSec)} inside an object; from outside ${fmtRatio(d.outsideOpsPerSec / m.outsideOpsPerSec)}, ` +
        `where one awaited round trip per put caps both: the floor is ${Math.round(d.floorOpsPerSec).toLocaleString("en-US")}/s, ` +
        `so 1.5× Miniflare 2 from outside would be ${fmtRatio((1.5 * m.outsideOpsPerSec) / d.floorOpsPerSec)} the floor`,
    },
  },
  {
    name: "redis-list",
    needs: "redis",
    title: "6d. Redis persistence: getDurableObjectStorage + list() of 1,000 keys in a new instance on the same Redis (10 repeats)",
    rows: freshListRows,
    summary: ["medianMs", "coldMs"],
  },
  {
    name: "suite",
    // Not a child workload: real Jest and Vitest runs of generated projects (runSuites below).
    kind: "suite",
    title: `7a. test suite: ${FILES} files × ${TESTS_PER_FILE} tests under real Jest and Vitest, ${WORKERS} workers, whole-run wall time`,
    rows: [
      { label: "Jest, whole suite, median wall time", key: "jestMs", unit: "ms", better: "lower" },
      { label: "Vitest, whole suite, median wall time", key: "vitestMs", unit: "ms", better: "lower" },
    ],
    summary: ["jestMs", "vitestMs"],
    targets: [
      {
        text: "durabox Jest ≤ 1/3 of Miniflare 2's Jest time",
        met: (d, m) => d.jestMs * 3 <= m.jestMs,
        detail: (d, m) =>
          `durabox is ${fmtRatio(d.jestMs / m.jestMs)} of Miniflare 2's time on the same Jest, ${fmtRatio(d.jestMs / m.jest29Ms)} of its time on Jest 29`,
      },
      {
        text: "durabox Jest ≤ 1.3× its floor",
        met: (d) => d.jestMs <= 1.3 * d.jestFloorMs,
        detail: (d) => `${fmtRatio(d.jestMs / d.jestFloorMs)} the floor`,
      },
      {
        text: "durabox Vitest ≤ 1.3× its floor",
        met: (d) => d.vitestMs <= 1.3 * d.vitestFloorMs,
        detail: (d) => `${fmtRatio(d.vitestMs / d.vitestFloorMs)} the floor`,
      },
    ],
  },
  {
    name: "env-setup",
    // One process per variant: a variant's figure must not carry what an earlier one left in the process.
    parts: ENV_SETUP_VARIANTS.map((variant) => `env-setup:${variant}`),
    title: "7b. test environment cost per test file, in-process (median of 40 files after 5 warm-up)",
    rows: [
      { label: "Jest: constructor + setup + teardown, file never touches an object", key: "jestIdleMs", unit: "ms", better: "lower" },
      { label: "Jest: the same + one stub.fetch (worker loaded as the preset does)", key: "jestUsedMs", unit: "ms", better: "lower" },
      { label: "Jest: the same, without the preset's setup file (durabox loads the worker)", key: "jestUsedOwnLoaderMs", unit: "ms" },
      { label: "Jest: first file of a process, one stub.fetch", key: "jestUsedFirstMs", unit: "ms", better: "lower" },
      {
        label: "Vitest: setup(global, options) + teardown, file never touches an object",
        key: "vitestIdleMs",
        unit: "ms",
        better: "lower",
      },
      { label: "Vitest: the same + one stub.fetch (worker loaded as durabox() does)", key: "vitestUsedMs", unit: "ms", better: "lower" },
      { label: "Vitest: the same, without the setup file (durabox loads the worker)", key: "vitestUsedOwnLoaderMs", unit: "ms" },
      { label: "reference: Jest's node environment alone", key: "jestNodeMs", unit: "ms" },
      { label: "reference: Vitest's node environment alone", key: "vitestNodeMs", unit: "ms" },
    ],
    summary: ["jestIdleMs", "jestUsedMs", "vitestIdleMs", "vitestUsedMs"],
    target: {
      text: "durabox ≤ 20 ms per file (Jest and Vitest, with and without an object used)",
      met: (d) => [d.jestIdleMs, d.jestUsedMs, d.vitestIdleMs, d.vitestUsedMs].every((ms) => ms <= 20),
      detail: (d) => `worst ${Math.max(d.jestIdleMs, d.jestUsedMs, d.vitestIdleMs, d.vitestUsedMs).toFixed(2)} ms`,
    },
  },
  {
    name: "isolation",
    title: "7c. per-test isolation with 100,000 keys stored in one object: push a layer, put one key, pop",
    rows: [
      { label: "storage layers: push + put + pop, mean", key: "layersMeanUs", unit: "µs", better: "lower" },
      { label: "storage layers: p99", key: "layersP99Us", unit: "µs", better: "lower" },
      { label: "TestRuntime enterScope + put + exitScope, mean", key: "scopesMeanUs", unit: "µs", better: "lower" },
      { label: "TestRuntime: p99", key: "scopesP99Us", unit: "µs", better: "lower" },
      { label: "seeding 100,000 keys (put ×128)", key: "seedMs", unit: "ms", better: "lower" },
    ],
    summary: ["layersMeanUs", "scopesMeanUs"],
    target: {
      text: "durabox ≤ 50 µs (storage layers and TestRuntime scopes, mean)",
      met: (d) => d.layersMeanUs <= 50 && d.scopesMeanUs <= 50,
    },
  },
  {
    name: "accumulation",
    parts: ["env-setup:accumulation"],
    title: "7d. a Jest worker after 100 test files (each: environment constructed, one stub.fetch, torn down), in-process",
    rows: [
      { label: "await Promise.resolve(), in the first file", key: "promiseBeforeUs", unit: "µs", better: "lower" },
      { label: "await Promise.resolve(), after 101 files (in the 102nd)", key: "promiseAfterUs", unit: "µs", better: "lower" },
      { label: "stub.fetch + text(), in the first file", key: "fetchBeforeUs", unit: "µs", better: "lower" },
      { label: "stub.fetch + text(), after 101 files (in the 102nd)", key: "fetchAfterUs", unit: "µs", better: "lower" },
    ],
    summary: ["promiseBeforeUs", "promiseAfterUs"],
  },
  {
    name: "memory",
    // Not a child workload: real Jest runs of two generated projects (runMemoryWorkload below).
    kind: "memory",
    title: `7e. one Jest worker's resident memory over ${MEMORY_FILES} test files (7a's suite: ${TESTS_PER_FILE} tests a file), durabox beside the same tests without durabox`,
    rows: [
      { label: "worker RSS after 100 files, GC left alone", key: "rss100", unit: "MiB", better: "lower" },
      { label: `worker RSS after ${MEMORY_FILES} files, GC left alone`, key: "rss400", unit: "MiB", better: "lower" },
      { label: "worker peak RSS, GC left alone", key: "peak", unit: "MiB", better: "lower" },
      { label: `worker RSS after ${MEMORY_FILES} files, full GC after each file`, key: "forcedRss400", unit: "MiB", better: "lower" },
      { label: `heap after the GC after file ${MEMORY_FILES}`, key: "forcedHeap", unit: "MiB", better: "lower" },
      { label: `the same without durabox: worker RSS after ${MEMORY_FILES} files, GC left alone`, key: "floorRss400", unit: "MiB" },
    ],
    summary: ["rss400", "forcedRss400"],
    target: {
      text: `durabox ≤ 1.5× the worker's RSS without durabox after ${MEMORY_FILES} files`,
      met: (d) => d.rss400 <= 1.5 * d.floorRss400 && d.forcedRss400 <= 1.5 * d.floorForcedRss400,
      detail: (d) =>
        `${fmtRatio(d.rss400 / d.floorRss400)} with the GC left alone, ${fmtRatio(d.forcedRss400 / d.floorForcedRss400)} with a full GC after each file`,
    },
  },
  {
    name: "rpc",
    title: "9. JS RPC sequential: `await stub.increment()` (Miniflare 2 has no RPC: its `stub.fetch` + body read), and the floor",
    short: "9. JS RPC calls",
    rows: [
      { label: "calls per second (Miniflare 2: stub.fetch)", key: "opsPerSec", unit: "ops/s", better: "higher" },
      { label: "mean time per call", key: "meanUs", unit: "µs", better: "lower" },
      { label: "median time per call", key: "p50Us", unit: "µs", better: "lower" },
      { label: "relative margin of error", key: "rmePct", unit: "%" },
      { label: "floor: the instance's method called directly, per second", key: "floorOpsPerSec", unit: "ops/s" },
      { label: "floor: mean time per direct call", key: "floorMeanUs", unit: "µs" },
      { label: "floor: median time per direct call", key: "floorP50Us", unit: "µs" },
      { label: "durabox's stub.fetch on the same object, per second", key: "fetchOpsPerSec", unit: "ops/s" },
    ],
    summary: ["opsPerSec", "floorOpsPerSec"],
    targets: [
      {
        text: "durabox RPC ≥ 50× Miniflare 2's stub.fetch calls/s",
        met: (d, m) => d.opsPerSec / m.opsPerSec >= 50,
        detail: (d, m) => `${fmtRatio(d.opsPerSec / m.opsPerSec)}`,
      },
      {
        text: "durabox RPC within 3× of a direct call on the instance",
        met: (d) => d.floorOpsPerSec / d.opsPerSec <= 3,
        detail: (d) =>
          `a direct call is ${fmtRatio(d.floorOpsPerSec / d.opsPerSec)} as fast as an RPC call by the mean, ` +
          `${fmtRatio(d.p50Us / d.floorP50Us)} by the median`,
      },
    ],
  },
  ...SQLITE_WORKLOADS,
];

/** The workloads on the test environments (they need bench/.suites and the Miniflare 2 environments). */
const SUITE_WORKLOADS = new Set(["suite", "env-setup", "isolation", "accumulation"]);
/** Workloads that run the staged packages in bench/.suites but need no Miniflare 2. */
const STAGED_WORKLOADS = new Set([...SUITE_WORKLOADS, "memory"]);

const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "—");

const targetsOf = (workload) => workload.targets ?? (workload.target ? [workload.target] : []);

// Combines repeated rounds: medians of numbers, worst of "max*"/best of "min*", AND of flags.
function combine(results) {
  const out = {};
  for (const key of Object.keys(results[0])) {
    const values = results.map((r) => r[key]);
    if (typeof values[0] === "number") {
      out[key] = key.startsWith("max") ? Math.max(...values) : key.startsWith("min") ? Math.min(...values) : median(values);
    } else if (typeof values[0] === "boolean") out[key] = values.every(Boolean);
    else if (Array.isArray(values[0])) out[key] = [...new Set(values.flat())];
    else out[key] = values[0];
  }
  return out;
}

// Copies dist/ to bench/.dist/ (resolving durabox's dependencies from the same node_modules) and points
// the children at it; returns when dist/index.js was built.
function snapshotDist() {
  const source = path.join(ROOT, "dist");
  const built = statSync(path.join(source, "index.js")).mtime;
  rmSync(DIST_SNAPSHOT, { recursive: true, force: true });
  cpSync(source, DIST_SNAPSHOT, { recursive: true });
  if (!existsSync(path.join(DIST_SNAPSHOT, "index.js"))) throw new Error("dist/ changed while it was copied: run the bench again.");
  process.env[DURABOX_ENTRY_ENV] = path.join(DIST_SNAPSHOT, "index.js");
  return built;
}

// Both copies of one build: bench/.dist/ (the runtime workloads) and, when the test-environment workloads
// run, bench/.suites/node_modules/ (durabox and its environment packages, see lib/suites.mjs). A rebuild
// between the two (dist/index.js changed) takes both again.
async function snapshotBuild(withEnvironments) {
  let problem;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 2000));
    try {
      const built = snapshotDist();
      if (!withEnvironments) return built;
      const staged = await stagePackages();
      if (staged.getTime() === built.getTime()) return built;
      problem = new Error("dist/ was rebuilt between the two copies");
    } catch (error) {
      problem = error;
    }
  }
  throw problem;
}

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

/** The suite's runs: [variant, runner, runtime column] in the order of the tables. */
const SUITE_ROWS = [
  ["durabox-jest", "jest", "durabox"],
  ["miniflare-jest", "jest", "miniflare"],
  ["floor-jest", "jest", "floor"],
  ["miniflare-jest29", "jest29", "miniflare"],
  ["durabox-vitest", "vitest", "durabox"],
  ["miniflare-vitest", "vitest", "miniflare"],
  ["floor-vitest", "vitest", "floor"],
];

/**
 * 7a. Every variant's project checked, timed and broken down (lib/suite-runs.mjs); the tables compare durabox
 * with Miniflare 2 and with the floor on the same runner.
 */
async function runSuites(workload, rounds, runsPerRound) {
  const names = SUITE_ROWS.map(([name]) => name);
  const timed = await timeVariants(names, rounds, runsPerRound);
  const { stats, parts, tool, failures } = timed;
  const ms = (name) => stats[name]?.medianMs;
  const d = {
    jestMs: ms("durabox-jest"),
    vitestMs: ms("durabox-vitest"),
    jestFloorMs: ms("floor-jest"),
    vitestFloorMs: ms("floor-vitest"),
  };
  const m = { jestMs: ms("miniflare-jest"), jest29Ms: ms("miniflare-jest29"), vitestMs: ms("miniflare-vitest") };
  const rows = rowsOf(workload, d, m);
  const targets = targetsOf(workload).map((t) => ({ text: t.text, met: Boolean(t.met(d, m)), detail: t.detail?.(d, m) }));

  const version = versionOf;
  // Ratios: durabox against Miniflare 2 on the same runner, and against the floor on the same runner.
  const ratioHeader = [
    "runner",
    "durabox",
    "Miniflare 2",
    "floor (node env., no runtime)",
    "durabox advantage (Miniflare 2 ÷ durabox)",
    "durabox ÷ floor",
  ];
  const ratioRows = [
    [
      version("durabox-jest"),
      seconds(d.jestMs),
      seconds(m.jestMs),
      seconds(d.jestFloorMs),
      fmtRatio(m.jestMs / d.jestMs),
      fmtRatio(d.jestMs / d.jestFloorMs),
    ],
    [
      `Miniflare 2 on ${version("miniflare-jest29")} (durabox and floor: ${version("durabox-jest")})`,
      seconds(d.jestMs),
      seconds(m.jest29Ms),
      seconds(d.jestFloorMs),
      fmtRatio(m.jest29Ms / d.jestMs),
      fmtRatio(d.jestMs / d.jestFloorMs),
    ],
    [
      version("durabox-vitest"),
      seconds(d.vitestMs),
      seconds(m.vitestMs),
      seconds(d.vitestFloorMs),
      fmtRatio(m.vitestMs / d.vitestMs),
      fmtRatio(d.vitestMs / d.vitestFloorMs),
    ],
  ];
  const environmentOf = (name) =>
    ({
      "miniflare-jest": `jest-environment-miniflare ${machineVersions.jestMiniflare ?? ""}`,
      "miniflare-jest29": `jest-environment-miniflare ${machineVersions.jestMiniflare ?? ""}`,
      "miniflare-vitest": `vitest-environment-miniflare ${machineVersions.vitestMiniflare ?? ""}`,
    })[name] ?? VARIANTS[name].environment;
  const [runHeader, runRows] = runTable(names, timed, environmentOf);
  const {
    jest: [jestPartsHeader, jestPartsRows],
    vitest: [vitestPartsHeader, vitestPartsRows],
  } = breakdownTables(names, parts);
  return {
    workload,
    d,
    m,
    rows,
    targets,
    tool,
    failures,
    text: [
      gridText(ratioHeader, ratioRows),
      "",
      gridText(runHeader, runRows),
      "",
      gridText(jestPartsHeader, jestPartsRows),
      "",
      gridText(vitestPartsHeader, vitestPartsRows),
      ...failures.map((f) => `\n${f.name} FAILED:\n${f.error}`),
    ].join("\n"),
    details: [
      gridMarkdown(ratioHeader, ratioRows),
      "",
      gridMarkdown(runHeader, runRows),
      "",
      "Where the time goes, by the runners' own accounts (one more run of each project after the timed ones):",
      "",
      gridMarkdown(jestPartsHeader, jestPartsRows),
      "",
      gridMarkdown(vitestPartsHeader, vitestPartsRows),
      ...(d.jestFloorMs * 3 > m.jestMs
        ? [
            "",
            `The floor alone (no runtime at all) takes ${fmtRatio(d.jestFloorMs / m.jestMs)} of Miniflare 2's Jest time on the same Jest: ` +
              "with the runner's own per-file cost this large, no environment can reach 1/3 of Miniflare 2's time on this suite.",
          ]
        : []),
      ...failures.map((f) => `\n**${VARIANTS[f.name].label} (${version(f.name)}) did not run:**\n\n\`\`\`\n${f.error}\n\`\`\`\n`),
    ].join("\n"),
  };
}

/**
 * 7e. Each project once per mode and round, one Jest run at a time (lib/memory.mjs). The durabox column holds
 * durabox's figures; the same suite without durabox is the comparison (Miniflare 2 is not measured here).
 */
async function runMemoryWorkload(workload, rounds) {
  if (!memorySupported()) {
    return {
      workload,
      d: {},
      m: {},
      rows: rowsOf(workload, {}, {}),
      targets: [],
      skipped: "the worker's memory is read from /proc (Linux only)",
    };
  }
  // Rounds one after another; each figure is the median over the rounds.
  const runs = [];
  for (let round = 1; round <= rounds; round++)
    runs.push(await runMemory({ progress: (text) => progress(`${text} (round ${round}/${rounds})`) }));
  progress("");
  const results = medianResults(runs);
  const [durabox, floor] = MEMORY_PROJECTS.map((p) => p.variant);
  const natural = results.natural;
  const forced = results.forced;
  const d = {
    rss100: natural[durabox].rss[100],
    rss400: natural[durabox].rss[MEMORY_FILES],
    peak: natural[durabox].peak,
    forcedRss400: forced[durabox].rss[MEMORY_FILES],
    forcedHeap: forced[durabox].heap,
    floorRss400: natural[floor].rss[MEMORY_FILES],
    floorForcedRss400: forced[floor].rss[MEMORY_FILES],
  };
  const targets = targetsOf(workload).map((t) => ({ text: t.text, met: Boolean(t.met(d, {})), detail: t.detail?.(d, {}) }));
  const mib = (value) => (value === undefined ? "—" : `${Math.round(value)} MiB`);
  const header = ["mode", "figure", ...MEMORY_PROJECTS.map((p) => p.label), "durabox ÷ without"];
  const rows = MEMORY_MODES.flatMap((mode) => {
    const r = results[mode.name];
    const figures = [
      ...MEMORY_CHECKPOINTS.map((n) => [`worker RSS after ${n} files`, (v) => v.rss[n]]),
      ["worker peak RSS (VmHWM)", (v) => v.peak],
      ...(mode.name === "forced" ? [[`heap after the GC after file ${MEMORY_FILES}`, (v) => v.heap]] : []),
    ];
    return figures.map(([label, of], i) => [
      i === 0 ? mode.label : "",
      label,
      ...MEMORY_PROJECTS.map((p) => mib(of(r[p.variant]))),
      fmtRatio(of(r[durabox]) / of(r[floor])),
    ]);
  });
  return {
    workload,
    d,
    m: {},
    rows: rowsOf(workload, d, {}),
    targets,
    text: gridText(header, rows),
    details: gridMarkdown(header, rows),
  };
}

/** The Method section's part on workload 7 (test environments). */
function suiteMethod(machine, rounds) {
  return `- Workload 7a generates one test suite and runs it as seven projects in \`bench/.suites/\`: ${FILES} files, each with
  ${COUNTER_TESTS} tests that send ${FETCHES} sequential \`stub.fetch\` increments to their own Counter object (storage get + put,
  the count as the body, checked) and then assert the object's storage, plus a writer/reader pair: the writer increments a
  shared object, the reader expects its storage empty, which holds only with per-test isolation (${TOTAL_TESTS} tests in all).
  durabox runs under Jest ${machine.jest} with \`preset: "jest-environment-durabox"\` and under Vitest ${machine.vitest} with
  \`plugins: [durabox()]\`, the worker described by the project's \`wrangler.toml\`, tests importing \`env\` and
  \`getDurableObjectStorage\` from \`durabox/testing\`. Miniflare 2 runs \`jest-environment-miniflare\` (isolation
  automatic; tests use \`getMiniflareBindings()\` and \`getMiniflareDurableObjectStorage()\`, CommonJS, no transform) and
  \`vitest-environment-miniflare\` (\`setupMiniflareIsolatedStorage()\` at the top of each file), both with
  \`NODE_OPTIONS=--experimental-vm-modules\` (Vitest's forked workers do not inherit command-line flags). Their peer
  ranges are open (\`jest >=27\`, \`vitest >=0.23\`) and both ran this suite on the repository's own Jest ${machine.jest}
  and Vitest ${machine.vitest} (the Vitest one warns that \`transformMode\` is deprecated), so those are the main
  comparison, only the environment differing; Jest ${machine.jest29Peer}, the last major Miniflare 2 was released against, is
  a second Miniflare 2 row. The floor runs the same tests in the runner's \`node\` environment on the Counter class itself
  (a Map-backed \`storage\` with async \`get\`/\`put\`, one instance and storage per name, reset before each test);
  its Jest project uses durabox's preset transform (esbuild), so Jest's floor differs from durabox's run only in the
  environment. Every project first runs once with a JSON report that must show all ${TOTAL_TESTS} tests passed (this also fills
  Jest's transform cache, kept per project); then ${machine.hyperfine ? "hyperfine" : "an own timer"} times the whole
  \`node <runner> --maxWorkers=${WORKERS}\` process (Jest with \`--ci\`, Vitest \`run\`), 1 warm-up and ${machine.suiteRuns} timed runs
  per round, ${rounds} round(s) with the projects interleaved; the figures are over all timed runs. durabox and its environment
  packages are copied from the build into \`bench/.suites/node_modules/\` at the start (with \`bench/.dist/\`, from
  the same build), so a rebuild during the bench cannot reach the runs.
- Workload 7b times, in a Node process per case, what a runner does per test file with the environment: Jest constructs it
  (\`new Environment(config, context)\`, with jest-config's defaults), \`setup()\`, \`teardown()\`; Vitest calls
  \`setup(global, options)\` and the returned \`teardown\`. "Touches an object" adds one \`stub.fetch\` to a Counter
  (checked to read 1). durabox's presets load the worker through the runner (their setup files call
  \`useModuleLoader\`): for Jest this is stood in for by the preset's transform (once per process, as Jest caches it)
  and a \`vm.Script\` of the result run in the file's context per file, as jest-runtime does; for Vitest by a new ES
  module instance of the worker per file. The "without the setup file" rows leave the module loader unset, so durabox
  bundles (esbuild) and evaluates the worker itself. vitest-environment-miniflare defines non-configurable \`crypto\`
  and \`navigator\` on the global it gets, so a second setup on one global throws (Vitest gives each file a new
  worker); each of its files gets a new global object. The reference rows are the runners' own \`node\` environments.
  This is the environment alone: in a real run the preset's setup file and the test file's own imports (such as
  \`durabox/testing\`, through the runner's module registry) also run for every file (see 7a's breakdown).
- Workload 7c writes 100,000 keys (\`put\` of 128-entry objects) into one object's storage and then times, with
  tinybench, a storage layer push, one \`put\` overwriting a stored key, and the pop, checking afterwards that every
  overwritten key reads its seeded value and that 100,000 keys are listed. durabox: \`mf.runtime.pushLayer()\`/\`popLayer()\` of a
  \`Durabox\`, and the environments' \`TestRuntime\` from \`durabox/testing-runtime\` (\`enterScope()\`, \`await exitScope()\`, which also evicts
  live instances and reschedules alarms). Miniflare 2: the \`StackedMemoryStorageFactory\` its Jest and Vitest
  environments push and pop around every test, with the object's storage from \`createMiniflareEnvironment\`.
- Workload 7d: a Jest worker runs many test files in one process. In-process, the environment of 101 files is
  constructed, used for one \`stub.fetch\` and torn down (as in 7b); a tight loop of \`await Promise.resolve()\` and
  1,000 sequential \`stub.fetch\` calls are timed in the first file and again in the 102nd. Node 20 and 22 run
  \`AsyncLocalStorage\` on async hooks: every enabled instance in the process adds work to every promise created.
`;
}

/** runMemory's results of several rounds, each number the median of its rounds. */
function medianResults(runs) {
  const merge = (values) =>
    typeof values[0] === "number"
      ? median(values)
      : values[0] === undefined
        ? undefined
        : Object.fromEntries(Object.keys(values[0]).map((key) => [key, merge(values.map((v) => v[key]))]));
  return merge(runs);
}

/** The Method section's part on workload 7e (a Jest worker's memory). */
function memoryMethod() {
  return `- Workload 7e generates 7a's suite with ${MEMORY_FILES} files twice: durabox's project (the preset, the worker from
  \`wrangler.toml\`) and the same tests without durabox (7a's floor: Jest's \`node\` environment, the Counter class on a
  Map, the same esbuild transform). Jest runs each with one worker process (\`--maxWorkers=1\` alone would run the tests
  in Jest's own process; \`--workerIdleMemoryLimit=1000GB\`, never reached, makes it a worker), one project at a time,
  and a reporter reads the worker's \`VmRSS\` and \`VmHWM\` (peak) from \`/proc\` after every file. Each project runs
  twice: as a user runs it (the garbage collector left alone: how large the worker grows), then with
  \`NODE_OPTIONS=--expose-gc\` and \`--logHeapUsage\` (Jest collects garbage fully after each file and reports the heap:
  what stays behind). Figures are medians over the rounds. Each round generates the projects afresh, so each one's
  first run also transforms its files (the same work for both). With the GC left alone, Node 20's V8 runs few full
  collections in a Jest worker (\`--trace-gc\`: two in the first 100 files of either project) and lets the heap grow
  between them, so the worker's size there follows how much each file allocates and when V8 happens to collect, for
  both projects alike (expect ±20% run to run); the forced rows show what is actually kept.
  \`test/environments/memory.test.ts\` checks deterministically (forced GCs, \`FinalizationRegistry\`) that a test
  file's context is collected once the worker has moved on.
`;
}

/** Versions for the suite's tables, filled in by main(). */
const machineVersions = {};

async function main() {
  const { values: args } = parseArgs({
    options: { rounds: { type: "string", default: "3" }, only: { type: "string" }, "suite-runs": { type: "string", default: "3" } },
  });
  const suiteRuns = Math.max(1, Number(args["suite-runs"]) || 1);
  const rounds = Math.max(1, Number(args.rounds) || 1);
  // 10a, 10b (WebSockets): a section of RESULTS.md of their own, rewritten alone.
  if (args.only === "websockets") return runWebSocketSection({ rounds });
  // "sqlite" names the SQLite workloads (8a-8d); `--only sqlite` alone rewrites their section of RESULTS.md.
  const only = args.only?.split(",").flatMap((name) => (name === "sqlite" ? SQLITE_WORKLOADS.map((w) => w.name) : [name]));
  const sqliteOnly = args.only === "sqlite";
  const selected = WORKLOADS.filter((w) => !only || only.includes(w.name));

  // A build running now (another terminal's) empties dist/ first: give it a minute to finish.
  for (let waited = 0; !existsSync(path.join(ROOT, "dist", "index.js")); waited += 2) {
    if (waited >= 60) {
      console.error("dist/index.js is missing: run `npm run build` first (then `npm run bench`).");
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  // Every child measures this copy, so a rebuild during the run (the build empties dist/ first)
  // neither breaks it nor mixes two builds in one RESULTS.md.
  const needsSuites = selected.some((w) => SUITE_WORKLOADS.has(w.name));
  const needsSqlSuite = selected.some((w) => w.kind === "sql-suite");
  const built = await snapshotBuild(selected.some((w) => STAGED_WORKLOADS.has(w.name)) || needsSqlSuite);
  // The SQLite workloads have no peer: Miniflare 2 is installed for the others.
  const needsMiniflare = selected.some((w) => w.group !== "sqlite");
  if (needsMiniflare) ensurePeer();
  if (needsSuites) {
    ensureSuitePeers();
    // The generated projects: the suite workload runs them, and the in-process ones load their worker.
    for (const name of Object.keys(VARIANTS)) if (!SQL_SUITE_VARIANTS.includes(name)) generate(name);
  }
  if (needsSqlSuite) for (const name of SQL_SUITE_VARIANTS) generate(name);
  // Other Node majors (8b): the registry's builds, installed once; without one the workload is skipped.
  const nodeBuilds = {};
  for (const major of new Set(selected.map((w) => w.node).filter(Boolean))) {
    try {
      nodeBuilds[major] = { execPath: ensureNodeBuild(major) };
      nodeBuilds[major].version = major === Number(process.versions.node.split(".")[0]) ? process.version : nodeBuildVersion(major);
    } catch (error) {
      nodeBuilds[major] = { skipped: `Node ${major} could not be installed (${error.message.split("\n")[0]})` };
      console.log(`Skipping the workloads on Node ${major}: ${nodeBuilds[major].skipped}.\n`);
    }
  }
  // The Redis workloads: a redis-server of the bench's own, and Miniflare 2's optional Redis packages.
  // Without either they are skipped (their rows read "—"), not failed.
  let redis;
  let redisSkipped;
  if (selected.some((w) => w.needs === "redis")) {
    try {
      redis = await startRedis();
      if (redis) {
        process.env[REDIS_URL_ENV] = redis.url;
        ensureRedisPeer();
      } else redisSkipped = "redis-server is not installed (Debian: apt-get install redis-server)";
    } catch (error) {
      redisSkipped = error.message.split("\n")[0];
      await redis?.stop();
      redis = undefined;
    }
    if (redisSkipped) console.log(`Skipping the Redis workloads (6c, 6d): ${redisSkipped}.\n`);
  }
  try {
    await runAll({
      selected,
      built,
      needsSuites,
      needsSqlSuite,
      needsMiniflare,
      nodeBuilds,
      redis,
      redisSkipped,
      rounds,
      suiteRuns,
      only,
      sqliteOnly,
    });
  } finally {
    await redis?.stop();
  }
}

async function runAll({
  selected,
  built,
  needsSuites,
  needsSqlSuite,
  needsMiniflare,
  nodeBuilds,
  redis,
  redisSkipped,
  rounds,
  suiteRuns,
  only,
  sqliteOnly,
}) {
  const durabox = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
  const machine = {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    durabox,
    ...(needsMiniflare && { miniflare: miniflareVersion() }),
    nodeBuilds,
    commit: git("rev-parse", "--short", "HEAD"),
    // The bench measures dist/, which may be built from a work tree ahead of HEAD.
    dirty: Boolean(git("status", "--porcelain", "--", "src")),
    built: built.toISOString(),
    ...(needsSuites && {
      jest: rootVersion("jest"),
      vitest: rootVersion("vitest"),
      jestMiniflare: peerVersion("jest", "jest-environment-miniflare"),
      vitestMiniflare: peerVersion("vitest", "vitest-environment-miniflare"),
      jestPeer: peerVersion("jest", "jest"),
      jest29Peer: peerVersion("jest29", "jest"),
      vitestPeer: peerVersion("vitest", "vitest"),
      hyperfine: hyperfineVersion(),
      suiteRuns,
    }),
    ...(needsSqlSuite && {
      jest: rootVersion("jest"),
      vitest: rootVersion("vitest"),
      hyperfine: hyperfineVersion(),
      suiteRuns,
    }),
    ...(selected.some((w) => w.needs === "redis") && {
      redis: redis?.version,
      redisSkipped,
      redisMiniflare: miniflareRedisVersions(),
      redisDurabox: rootVersion("ioredis"),
    }),
  };
  Object.assign(machineVersions, machine);
  const date = new Date();
  console.log(
    `durabox ${machine.durabox} vs ${machine.miniflare ? `miniflare ${machine.miniflare}` : "the floor"} — ${machine.cpu}, ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, Node ${machine.node}; ${rounds} round(s), each side in its own process, one after the other.\n`,
  );

  const sections = [];
  for (const workload of selected) {
    if (workload.kind === "memory") {
      const section = await runMemoryWorkload(workload, rounds);
      sections.push(section);
      console.log(workload.title);
      console.log(section.text);
      for (const target of section.targets)
        console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}${target.detail ? ` (${target.detail})` : ""}`);
      console.log();
      continue;
    }
    if (workload.kind === "suite") {
      const section = await runSuites(workload, rounds, suiteRuns);
      sections.push(section);
      console.log(workload.title);
      console.log(section.text);
      for (const target of section.targets)
        console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}${target.detail ? ` (${target.detail})` : ""}`);
      console.log();
      continue;
    }
    if (workload.kind === "sql-suite") {
      const section = await runSqlSuites(workload, rounds, suiteRuns, targetsOf);
      sections.push(section);
      console.log(workload.title);
      console.log(section.text);
      for (const target of section.targets)
        console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}${target.detail ? ` (${target.detail})` : ""}`);
      console.log();
      continue;
    }
    const skipped = workload.needs === "redis" && !redis ? redisSkipped : workload.node && nodeBuilds[workload.node].skipped;
    if (skipped) {
      const rows = rowsOf(workload, {}, {});
      sections.push({ workload, d: {}, m: {}, rows, targets: [], skipped });
      console.log(workload.title);
      console.log(`skipped: ${skipped}\n`);
      continue;
    }
    // The two sides: durabox and Miniflare 2, or (the SQLite workloads) durabox and the floor.
    const sides = workload.sides ?? ["durabox", "miniflare"];
    const execPath = workload.node && nodeBuilds[workload.node].execPath;
    const results = Object.fromEntries(sides.map((side) => [side, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const runtime of sides) {
        progress(`${workload.name}: ${runtime}, round ${round}/${rounds} ...`);
        let result = {};
        if (workload.name === "import") result = await importTime(runtime);
        else for (const part of workload.parts ?? [workload.name]) Object.assign(result, await runWorkload(runtime, part, { execPath }));
        results[runtime].push(result);
      }
    }
    progress("");
    const d = combine(results[sides[0]]);
    const m = combine(results[sides[1]]);
    const rows = rowsOf(workload, d, m);
    const targets = targetsOf(workload).map((t) => ({ text: t.text, met: t.met(d, m), detail: t.detail?.(d, m) }));
    sections.push({ workload, d, m, rows, targets });
    console.log(workload.title);
    console.log(workload.group === "sqlite" ? sqliteTextTable(rows) : textTable(rows));
    for (const target of targets)
      console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}${target.detail ? ` (${target.detail})` : ""}`);
    console.log();
  }

  console.log("durabox advantage: ops/s are durabox ÷ Miniflare 2; times and counts are Miniflare 2 ÷ durabox. Above 1× favours durabox.");
  if (selected.some((w) => w.group === "sqlite"))
    console.log(`${SQLITE_HEADER[3]} (8a-8d): ops/s are durabox ÷ floor; times are floor ÷ durabox. 1× is as fast as the floor.`);

  if (sqliteOnly) {
    const file = path.join(BENCH, "RESULTS.md");
    writeFileSync(file, withSqliteSection(readFileSync(file, "utf8"), sqliteSection({ date, machine, rounds, sections })));
    console.log("\nRewrote the SQLite section of bench/RESULTS.md (the rest is left as it was).");
    return;
  }
  if (only) {
    console.log("\n--only given: bench/RESULTS.md left unchanged.");
    return;
  }
  // The sections other scripts (and --only websockets) write are kept as they were.
  const previous = existsSync(path.join(BENCH, "RESULTS.md")) ? readFileSync(path.join(BENCH, "RESULTS.md"), "utf8") : "";
  let text = markdown({ date, machine, rounds, sections });
  for (const name of ["d1", "r2", "bindings", "websockets"]) text = withSection(text, name, sectionOf(previous, name));
  writeFileSync(path.join(BENCH, "RESULTS.md"), text);
  console.log("\nWrote bench/RESULTS.md");
}

/** One workload's table and targets, for the Markdown sections. */
function detailsOf(s) {
  if (s.skipped) return `### ${s.workload.title}\n\nSkipped: ${s.skipped}.\n`;
  return `### ${s.workload.title}\n\n${s.details ?? markdownTable(s.rows)}\n${s.targets
    .map((t) => `\nTarget: ${t.text} — **${t.met ? "met" : "missed"}**${t.detail ? ` (${t.detail})` : ""}.\n`)
    .join("")}`;
}

/** RESULTS.md's Redis section: how the server ran, and workloads 6c and 6d. */
function redisSection(machine, sections) {
  if (sections.length === 0) return "";
  const server = machine.redis
    ? `redis-server ${machine.redis}, started by the bench on a free loopback port (\`--bind 127.0.0.1 --save "" --appendonly no\`,
so it keeps nothing on disk) and stopped at the end`
    : `none: ${machine.redisSkipped}, so 6c and 6d were skipped`;
  return `## Redis

Server: ${server}. Both runtimes get the same option, \`durableObjectsPersist: "redis://127.0.0.1:<port>"\`,
and both reach Redis through ioredis: durabox its dependency ioredis ${machine.redisDurabox}; Miniflare 2 its optional
peers \`@miniflare/storage-redis\` ${machine.redisMiniflare.storageRedis ?? "—"} and ioredis ${machine.redisMiniflare.ioredis ?? "—"}, installed beside it in
\`bench/.peers/\` (the registry this bench installs from served no 2.14 release of \`@miniflare/storage-redis\`; its put,
get and list code is the same as 2.14's). Every child empties the server (\`FLUSHALL\`) before and after it runs, so neither runtime
sees the other's data.

The two write differently. durabox stores an object as a sorted set of keys beside a hash of values, and makes
every write one Lua script (\`EVALSHA\`): the batch, a commit counter and a log of the last 1,024 commits (which
lets transactions of several processes sharing the Redis detect conflicts), applied atomically. Miniflare 2
stores a Redis string per key and writes a \`put\` as a pipeline of \`SET\`s: one round trip too, not atomic
across keys, and a \`list()\` \`SCAN\`s the whole Redis keyspace for the object's prefix (ten keys a page by
default), then sorts. The "Redis keys" row counts the keys each runtime left in Redis for the 1,000 storage keys.

- 6c: one Writer object per measurement. Inside an object: tinybench (300 ms warm-up, 1,500 ms) times
  \`stub.fetch\` calls whose handler makes 100 sequential awaited \`put("k" + (i % 1000), i)\`; puts per second is
  100 × fetches per second. The response leaves only once the writes are in Redis: durabox's output gate holds
  it (its puts resolve at once, as production's do, and their Lua scripts are pipelined on one connection);
  Miniflare 2 awaits each write. From outside: the same puts from \`getDurableObjectStorage(id)\`, each awaited
  until Redis confirms it, so one loopback round trip per put bounds both runtimes; the floor row times that
  round trip alone (an ioredis \`SET\` awaited in a loop, in durabox's child). Then the instance is disposed,
  Redis must hold keys, and a new instance on the same Redis must list all 1,000 keys of both objects with the
  last value put to each.
- 6d: 1,000 keys written (\`put\` of 128-entry objects) and the instance disposed; then 10 repeats, each a new
  instance in the same process on the same Redis, timed from \`getDurableObjectStorage(id)\` to \`list()\`
  returning all 1,000 entries (checked in order); each instance opens its own Redis connection, so the time
  includes connecting. Every instance is disposed before the next.

${sections.map(detailsOf).join("\n")}
`;
}

function markdown({ date, machine, rounds, sections: all }) {
  // The SQLite workloads have a section of their own, with the floor where the others have Miniflare 2.
  const sqlite = all.filter((s) => s.workload.group === "sqlite");
  const sections = all.filter((s) => s.workload.group !== "sqlite");
  const summary = sections.flatMap((s) =>
    s.workload.rows
      .filter((row) => (s.workload.summary ?? [s.workload.rows[0].key]).includes(row.key))
      .map((row, i) => {
        const [metric, d, m, ratio] = rowsOf({ rows: [row] }, s.d, s.m)[0];
        const target =
          i !== 0
            ? ""
            : s.skipped
              ? `skipped: ${s.skipped}`
              : s.targets.map((t) => `${t.text}: **${t.met ? "met" : "missed"}**${t.detail ? ` (${t.detail})` : ""}`).join("; ");
        return `| ${i === 0 ? s.workload.title.split(" (")[0] : ""} | ${metric} | ${d} | ${m} | ${ratio} | ${target} |`;
      }),
  );
  return `# durabox vs Miniflare 2 — benchmark results

Generated by \`bench/run.mjs\` on ${date.toISOString().slice(0, 10)} (${date.toISOString()}).

## Machine

| | |
| --- | --- |
| CPU | ${machine.cpu} |
| cores | ${machine.cores} |
| memory | ${machine.memoryGiB} GiB |
| OS | ${machine.platform} |
| Node | ${machine.node} |
| durabox | ${machine.durabox}${machine.commit ? ` (HEAD ${machine.commit}${machine.dirty ? ", src/ with uncommitted changes" : ""})` : ""}, dist/ built ${machine.built} |
| miniflare | ${machine.miniflare} (run with \`--experimental-vm-modules\`) |
${
  machine.redis || machine.redisSkipped
    ? `| Redis (6c, 6d) | ${machine.redis ? `redis-server ${machine.redis} on 127.0.0.1, started by the bench` : `skipped: ${machine.redisSkipped}`}; durabox: ioredis ${machine.redisDurabox}; Miniflare 2: @miniflare/storage-redis ${machine.redisMiniflare.storageRedis ?? "—"}, ioredis ${machine.redisMiniflare.ioredis ?? "—"} |
`
    : ""
}${
    machine.jest
      ? `| test runners (7) | durabox and floor: Jest ${machine.jest}, Vitest ${machine.vitest}; Miniflare 2: jest-environment-miniflare ${machine.jestMiniflare} on Jest ${machine.jestPeer} and ${machine.jest29Peer}, vitest-environment-miniflare ${machine.vitestMiniflare} on Vitest ${machine.vitestPeer} |
| wall-time tool (7a) | ${machine.hyperfine ? `hyperfine ${machine.hyperfine}` : "own timer (hyperfine not installed)"} |
`
      : ""
  }
## Summary

| workload | metric | durabox | Miniflare 2 | durabox advantage | target |
| --- | --- | ---: | ---: | ---: | --- |
${summary.join("\n")}

"durabox advantage": for ops/s it is durabox ÷ Miniflare 2; for times and counts it is
Miniflare 2 ÷ durabox. Above 1× favours durabox.${sqlite.length > 0 ? "\n\nThe SQLite workloads (8a–8d) compare durabox with the floor: see their section below." : ""}

## Method

- Every workload runs the same code on both runtimes, each in a fresh Node process, durabox first and then
  Miniflare 2 (never concurrently). Miniflare 2 needs \`node --experimental-vm-modules\` for \`modules: true\`;
  durabox runs without flags.
- Throughput workloads (1–3, 6a, 6c) use tinybench: 300 ms warmup, then 1,500 ms of sequential, awaited iterations.
- ${rounds} round(s) per workload, alternating durabox and Miniflare 2; the figures are the medians across
  rounds (worst case for "worst" rows, best for "fastest" rows). The machine is noisy (about ±20% run to
  run), so read ratios, not the last digit.
- Every iteration checks its result (counter value, stored value, page size, final transaction value), so a
  fast wrong answer fails the run instead of scoring.
- Workload 4 times 20 repeats after 20 untimed ones (each on a fresh object); the earliest repeats measure JIT
  tiering more than the runtime, and are shown separately as "first repeat, cold".
- Workload 5a runs 30 instances with the same inline script (a runtime may reuse what it compiled) and 30 with
  a different script each (a comment differs, so nothing compiled can be reused). Its "cold process" row also
  carries one-time process costs a runtime defers past import (durabox loads Node's fetch implementation,
  undici, when the first worker loads; Miniflare 2 loads its own at import), so read it together with 5b.
  Its "platform fetch already loaded" row is the first instance of another fresh process that first ran
  \`new Request("http://x"); new Response("x")\`, which takes that one-time cost out of the timing.
- Workload 5c loads the Counter worker from a file with \`scriptPath\`: durabox loads
  \`bench/fixtures/counter-worker.ts\` (TypeScript, bundled by esbuild inside durabox); Miniflare 2 cannot
  load TypeScript, so it loads the same worker in plain JavaScript, \`bench/fixtures/counter-worker.mjs\`
  (\`modules: true\`). A fresh process times its first instance (construct, \`ready\` — Miniflare 2 has none,
  \`getPlugins()\` waits the same way — and the first \`dispatchFetch(...).text()\`), a second one, and 10 more.
  Then, in the same process, it times esbuild alone bundling the .ts file (\`build({ bundle: true, write:
  false, format: "esm", platform: "neutral" })\`), for reference: in durabox's process esbuild is already
  loaded and its service running, in Miniflare 2's it is not, so those rows carry no ratio. durabox caches
  each distinct bundle as a file in the system temporary directory (\`durabox-bundles/\`), so after the first
  round the "cold process" row finds it already written.
- Workloads 6a and 6b persist to a fresh temporary directory (\`durableObjectsPersist: <dir>\` on both; durabox
  keeps an append-only log per object, Miniflare 2 a file per key), removed afterwards. 6a checks that a new
  instance on the directory reads back the last value put to every key. In 6b each of the 10 repeats is a
  new instance (in the same process) on the directory the 1,000 keys were written to, timed from
  \`getDurableObjectStorage(id)\` to \`list()\` returning all 1,000 entries (checked in order); durabox locks a
  persistence directory, so every instance is disposed before the next opens it.
- Workloads 6c and 6d are 6a and 6b on Redis: see "Redis" below.
${machine.jest ? suiteMethod(machine, rounds) : ""}${sections.some((s) => s.workload.kind === "memory") ? memoryMethod() : ""}

${redisSection(
  machine,
  sections.filter((s) => s.workload.needs === "redis"),
)}
## Details

${sections
  .filter((s) => s.workload.needs !== "redis")
  .map(detailsOf)
  .join("\n")}
${sqlite.length > 0 ? sqliteSection({ date, machine, rounds, sections: sqlite }) + "\n" : ""}## Reproduce

\`\`\`sh
npm run build && npm run bench            # 3 rounds (a few minutes)
npm run bench -- --rounds 1 --only fetch  # one workload, quick; leaves RESULTS.md alone
npm run bench -- --only sqlite            # 8a-8d only; rewrites RESULTS.md's SQLite section alone
npm run bench -- --only websockets        # 10a, 10b only; rewrites RESULTS.md's WebSockets section alone
\`\`\`

The first run installs miniflare@${machine.miniflare} into \`bench/.peers/\` (with its Redis packages when 6c or 6d runs), and Miniflare 2's test environments
with their runners into \`bench/.peers/{jest,jest29,vitest}/\`; the test suites of workload 7 are generated into
\`bench/.suites/\` (all git-ignored). \`--suite-runs N\` sets the timed runs per round of 7a (default 3).
`;
}

await main();
