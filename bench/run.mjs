// durabox vs Miniflare 2 benchmark. Usage: npm run build && npm run bench [-- --rounds N --only fetch,list]
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
import { DIST_SNAPSHOT, DURABOX_ENTRY_ENV } from "./lib/runtimes.mjs";
import { runWorkload, importTime } from "./lib/spawn.mjs";
import { median } from "./lib/stats.mjs";
import { rowsOf, textTable, markdownTable, advantage } from "./lib/report.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH, "..");

const throughputRows = [
  { label: "throughput", key: "opsPerSec", unit: "ops/s", better: "higher" },
  { label: "mean latency", key: "meanMs", unit: "ms", better: "lower" },
  { label: "p99 latency", key: "p99Ms", unit: "ms", better: "lower" },
  { label: "relative margin of error", key: "rmePct", unit: "%" },
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
    rows: [
      { label: "median", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest", key: "minMs", unit: "ms", better: "lower" },
      { label: "first repeat (first reopen in the process)", key: "coldMs", unit: "ms", better: "lower" },
      { label: "construct + getDurableObjectNamespace + the above, median", key: "totalMedianMs", unit: "ms", better: "lower" },
      { label: "writing the 1,000 keys first (put ×8)", key: "seedMs", unit: "ms", better: "lower" },
    ],
    summary: ["medianMs", "coldMs"],
    target: { text: "durabox ≤ 1/5 of Miniflare 2's time (median)", met: (d, m) => d.medianMs * 5 <= m.medianMs },
  },
];

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

// A transient status line on a terminal; nothing when piped.
function progress(text) {
  if (process.stdout.isTTY) process.stdout.write("\r" + text.padEnd(60) + "\r");
}

function git(...args) {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

async function main() {
  const { values: args } = parseArgs({
    options: { rounds: { type: "string", default: "3" }, only: { type: "string" } },
  });
  const rounds = Math.max(1, Number(args.rounds) || 1);
  const only = args.only?.split(",");
  const selected = WORKLOADS.filter((w) => !only || only.includes(w.name));

  if (!existsSync(path.join(ROOT, "dist", "index.js"))) {
    console.error("dist/index.js is missing: run `npm run build` first (then `npm run bench`).");
    process.exit(1);
  }
  // Every child measures this copy, so a rebuild during the run (the build empties dist/ first)
  // neither breaks it nor mixes two builds in one RESULTS.md.
  const built = snapshotDist();
  ensurePeer();

  const durabox = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
  const machine = {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    durabox,
    miniflare: miniflareVersion(),
    commit: git("rev-parse", "--short", "HEAD"),
    // The bench measures dist/, which may be built from a work tree ahead of HEAD.
    dirty: Boolean(git("status", "--porcelain", "--", "src")),
    built: built.toISOString(),
  };
  const date = new Date();
  console.log(`durabox ${machine.durabox} vs miniflare ${machine.miniflare} — ${machine.cpu}, ${machine.cores} cores, ` +
    `${machine.memoryGiB} GiB, Node ${machine.node}; ${rounds} round(s), each side in its own process, one after the other.\n`);

  const sections = [];
  for (const workload of selected) {
    const results = { durabox: [], miniflare: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const runtime of ["durabox", "miniflare"]) {
        progress(`${workload.name}: ${runtime}, round ${round}/${rounds} ...`);
        let result = {};
        if (workload.name === "import") result = await importTime(runtime);
        else for (const part of workload.parts ?? [workload.name]) Object.assign(result, await runWorkload(runtime, part));
        results[runtime].push(result);
      }
    }
    progress("");
    const d = combine(results.durabox);
    const m = combine(results.miniflare);
    const rows = rowsOf(workload, d, m);
    const targets = targetsOf(workload).map((t) => ({ text: t.text, met: t.met(d, m) }));
    sections.push({ workload, d, m, rows, targets });
    console.log(workload.title);
    console.log(textTable(rows));
    for (const target of targets) console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}`);
    console.log();
  }

  console.log("durabox advantage: ops/s are durabox ÷ Miniflare 2; times and counts are Miniflare 2 ÷ durabox. Above 1× favours durabox.");

  if (only) {
    console.log("\n--only given: bench/RESULTS.md left unchanged.");
    return;
  }
  writeFileSync(path.join(BENCH, "RESULTS.md"), markdown({ date, machine, rounds, sections }));
  console.log("\nWrote bench/RESULTS.md");
}

function markdown({ date, machine, rounds, sections }) {
  const summary = sections.flatMap((s) =>
    s.workload.rows
      .filter((row) => (s.workload.summary ?? [s.workload.rows[0].key]).includes(row.key))
      .map((row, i) => {
        const [metric, d, m, ratio] = rowsOf({ rows: [row] }, s.d, s.m)[0];
        const target = i === 0 ? s.targets.map((t) => `${t.text}: **${t.met ? "met" : "missed"}**`).join("; ") : "";
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

## Summary

| workload | metric | durabox | Miniflare 2 | durabox advantage | target |
| --- | --- | ---: | ---: | ---: | --- |
${summary.join("\n")}

"durabox advantage": for ops/s it is durabox ÷ Miniflare 2; for times and counts it is
Miniflare 2 ÷ durabox. Above 1× favours durabox.

## Method

- Every workload runs the same code on both runtimes, each in a fresh Node process, durabox first and then
  Miniflare 2 (never concurrently). Miniflare 2 needs \`node --experimental-vm-modules\` for \`modules: true\`;
  durabox runs without flags.
- Throughput workloads (1–3, 6a) use tinybench: 300 ms warmup, then 1,500 ms of sequential, awaited iterations.
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

## Details

${sections
  .map(
    (s) =>
      `### ${s.workload.title}\n\n${markdownTable(s.rows)}\n${s.targets.map((t) => `\nTarget: ${t.text} — **${t.met ? "met" : "missed"}**.\n`).join("")}`,
  )
  .join("\n")}
## Reproduce

\`\`\`sh
npm run build && npm run bench            # 3 rounds (a few minutes)
npm run bench -- --rounds 1 --only fetch  # one workload, quick; leaves RESULTS.md alone
\`\`\`

The first run installs miniflare@${machine.miniflare} into \`bench/.peers/\` (git-ignored).
`;
}

await main();
