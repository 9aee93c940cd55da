export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Runs one task under tinybench and returns its throughput and latency. `sync: true` times a synchronous
// task without awaiting it (tinybench still awaits between iterations, outside the timing).
export async function measure(name, fn, { time = 1500, warmupTime = 300, sync = false } = {}) {
  const { Bench } = await import("tinybench");
  const bench = new Bench({ name, time, warmup: true, warmupTime, throws: true });
  bench.add(name, fn, { async: !sync });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== "completed") throw r.error ?? new Error(`${name}: ${r.state}`);
  return {
    opsPerSec: 1000 / r.period,
    meanMs: r.latency.mean,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    rmePct: r.latency.rme,
    samples: r.latency.samplesCount,
  };
}
