// KV and Cache API throughput: durabox beside Miniflare 2 and the floor (a Map), in one run, each
// (runtime, workload) in a fresh child process. Usage: npm run build && node bench/bindings.mjs
import os from "node:os";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
import { runWorkload } from "./lib/spawn.mjs";

const WORKLOADS = ["kv-put", "kv-get", "cache-match"];
const RUNTIMES = ["durabox", "miniflare", "floor"];

ensurePeer();
const results = {};
for (const workload of WORKLOADS) {
  results[workload] = {};
  for (const runtime of RUNTIMES) {
    results[workload][runtime] = await runWorkload(runtime, workload);
    process.stderr.write(`${workload} ${runtime}: ${Math.round(results[workload][runtime].opsPerSec)} ops/s\n`);
  }
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
lines.push("", `Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; Miniflare ${miniflareVersion()}; ${new Date().toISOString().slice(0, 10)}.`);
console.log(lines.join("\n"));
