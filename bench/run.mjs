// durabox vs Miniflare 2 benchmark. Usage: npm run build && npm run bench [-- --rounds N --only fetch,list]
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
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
    title: "5a. new instance + first dispatchFetch (30 fresh instances per variant)",
    rows: [
      { label: "median, same script", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest, same script", key: "minMs", unit: "ms", better: "lower" },
      { label: "first instance (cold process)", key: "coldMs", unit: "ms", better: "lower" },
      { label: "median, different script each", key: "uniqueMedianMs", unit: "ms", better: "lower" },
    ],
    summary: ["medianMs", "coldMs", "uniqueMedianMs"],
  },
  {
    name: "import",
    title: "5b. package import time (fresh node process, median of 10)",
    rows: [
      { label: "median", key: "medianMs", unit: "ms", better: "lower" },
      { label: "fastest", key: "minMs", unit: "ms", better: "lower" },
    ],
  },
];

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
    built: statSync(path.join(ROOT, "dist", "index.js")).mtime.toISOString(),
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
        const result = workload.name === "import" ? await importTime(runtime) : await runWorkload(runtime, workload.name);
        results[runtime].push(result);
      }
    }
    progress("");
    const d = combine(results.durabox);
    const m = combine(results.miniflare);
    const rows = rowsOf(workload, d, m);
    const target = workload.target && { text: workload.target.text, met: workload.target.met(d, m) };
    sections.push({ workload, d, m, rows, target });
    console.log(workload.title);
    console.log(textTable(rows));
    if (target) console.log(`target: ${target.text} — ${target.met ? "MET" : "MISSED"}`);
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
        const target = i === 0 && s.target ? `${s.target.text}: **${s.target.met ? "met" : "missed"}**` : "";
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
- Throughput workloads (1–3) use tinybench: 300 ms warmup, then 1,500 ms of sequential, awaited iterations.
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

## Details

${sections
  .map(
    (s) =>
      `### ${s.workload.title}\n\n${markdownTable(s.rows)}\n${s.target ? `\nTarget: ${s.target.text} — **${s.target.met ? "met" : "missed"}**.\n` : ""}`,
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
