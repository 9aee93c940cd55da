// KV and Cache API throughput: durabox beside Miniflare 2 and the floor (a Map), in one run, each
// (runtime, workload) in a fresh child process. The runtimes take turns, `--rounds` times (default 3),
// and each figure is the median of its rounds: on a shared machine the load drifts during a run, and
// taking turns lets the drift fall on every side alike.
// Usage: npm run build && node bench/bindings.mjs [--rounds N] [--write]
// --write puts the table into bench/RESULTS.md's KV and Cache API section (the rest of the file is left alone).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
import { runWorkload } from "./lib/spawn.mjs";
import { median } from "./lib/stats.mjs";
import { SECTIONS, withSection } from "./lib/sections.mjs";

const WORKLOADS = ["kv-put", "kv-get", "cache-match"];
const RUNTIMES = ["durabox", "miniflare", "floor"];
const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, write: { type: "boolean", default: false } } });
const ROUNDS = Number(values.rounds);

const INTRO = [
  "From outside the worker, sequential, one runtime per child process: 11a `kv.put(key, string)` over 100 keys,",
  "11b `kv.get(key)` (text) of a stored key, 11c `caches.default.match(url)` of a stored response and its body read",
  "(durabox: `getKVNamespace`/`getCaches`; Miniflare 2 the same methods; floor: a `Map`, and for 11c a `Map` plus",
  "`new Response`). Target: durabox ≥ 3× Miniflare 2. Ops/s are tinybench's (1.5 s after 0.3 s warm-up), the median",
  "of the rounds; the runtimes take turns within each round. Load average when the run began:",
  `${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores; on a loaded machine single rounds vary widely, so read the paired ratio first.`,
].join("\n");

ensurePeer();
const results = {};
for (const workload of WORKLOADS) {
  const rounds = Object.fromEntries(RUNTIMES.map((runtime) => [runtime, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const runtime of RUNTIMES) {
      const result = await runWorkload(runtime, workload);
      rounds[runtime].push(result);
      process.stderr.write(`${workload} ${runtime} round ${round + 1}: ${Math.round(result.opsPerSec)} ops/s\n`);
    }
  }
  results[workload] = Object.fromEntries(
    RUNTIMES.map((runtime) => [
      runtime,
      { opsPerSec: median(rounds[runtime].map((r) => r.opsPerSec)), rmePct: median(rounds[runtime].map((r) => r.rmePct)) },
    ]),
  );
  // Each round's own ratio (the two ran a few seconds apart), then their median: less at the mercy of drift.
  results[workload].pairedRatio = median(rounds.durabox.map((r, i) => r.opsPerSec / rounds.miniflare[i].opsPerSec));
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const lines = [
  "| workload | durabox ops/s | Miniflare 2 ops/s | floor (Map) ops/s | durabox / Miniflare 2 | same, median of each round's ratio | durabox / floor |",
  "|---|---|---|---|---|---|---|",
];
for (const workload of WORKLOADS) {
  const { durabox, miniflare, floor, pairedRatio } = results[workload];
  lines.push(
    `| ${workload} | ${fmt(durabox.opsPerSec)} (±${durabox.rmePct.toFixed(1)}%) | ${fmt(miniflare.opsPerSec)} (±${miniflare.rmePct.toFixed(1)}%) | ${fmt(floor.opsPerSec)} | ${(durabox.opsPerSec / miniflare.opsPerSec).toFixed(2)}× | ${pairedRatio.toFixed(2)}× | ${(durabox.opsPerSec / floor.opsPerSec).toFixed(2)}× |`,
  );
}
lines.push(
  "",
  `Target ≥ 3× Miniflare 2 (paired ratio): ${WORKLOADS.map((w) => `${w} **${results[w].pairedRatio >= 3 ? "met" : "missed"}**`).join(", ")}.`,
);
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
lines.push(
  "",
  `Median of ${ROUNDS} rounds; durabox at ${head} (dist/). Reproduce: \`npm run build && node bench/bindings.mjs --write\`. Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; Miniflare ${miniflareVersion()}; ${new Date().toISOString().slice(0, 10)}.`,
);
console.log(lines.join("\n"));
if (values.write) {
  const file = new URL("./RESULTS.md", import.meta.url);
  const section = [
    SECTIONS.bindings[0],
    "## KV and Cache API (11a–11c): durabox beside Miniflare 2",
    "",
    INTRO,
    "",
    ...lines,
    SECTIONS.bindings[1],
    "",
  ].join("\n");
  writeFileSync(file, withSection(readFileSync(file, "utf8"), "bindings", section));
  console.log("\nWrote the KV and Cache API section of bench/RESULTS.md.");
}
