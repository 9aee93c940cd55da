// KV and Cache API throughput: durabox beside Miniflare 2 and the floor (a Map), in one run, each
// (runtime, workload) in a fresh child process. The runtimes take turns, `--rounds` times (default 3),
// and each figure is the median of its rounds: on a shared machine the load drifts during a run, and
// taking turns lets the drift fall on every side alike.
// Usage: npm run build && node bench/bindings.mjs [--rounds N]
import os from "node:os";
import { parseArgs } from "node:util";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
import { runWorkload } from "./lib/spawn.mjs";
import { median } from "./lib/stats.mjs";

const WORKLOADS = ["kv-put", "kv-get", "cache-match"];
const RUNTIMES = ["durabox", "miniflare", "floor"];
const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(values.rounds);

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
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
const lines = [
  "| workload | durabox ops/s | Miniflare 2 ops/s | floor (Map) ops/s | durabox / Miniflare 2 | durabox / floor |",
  "|---|---|---|---|---|---|",
];
for (const workload of WORKLOADS) {
  const { durabox, miniflare, floor } = results[workload];
  lines.push(
    `| ${workload} | ${fmt(durabox.opsPerSec)} (±${durabox.rmePct.toFixed(1)}%) | ${fmt(miniflare.opsPerSec)} (±${miniflare.rmePct.toFixed(1)}%) | ${fmt(floor.opsPerSec)} | ${(durabox.opsPerSec / miniflare.opsPerSec).toFixed(2)}× | ${(durabox.opsPerSec / floor.opsPerSec).toFixed(2)}× |`,
  );
}
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
lines.push(
  "",
  `Median of ${ROUNDS} rounds. Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; Miniflare ${miniflareVersion()}; ${new Date().toISOString().slice(0, 10)}.`,
);
console.log(lines.join("\n"));
