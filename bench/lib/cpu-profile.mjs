// Reads V8 .cpuprofile files (node --cpu-prof) and says where a process's CPU time went: self time per
// package (durabox's bundles by file), and the inclusive time of chosen functions (module evaluation,
// esbuild, SQLite opens, ...). Used by bench/per-file.mjs; also runnable: node bench/lib/cpu-profile.mjs <dir>.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The bucket a call frame's self time counts under. */
export function bucketOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(garbage collector)") return "(gc)";
    if (functionName === "(program)") return "(program)";
    return "(native)";
  }
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0];
  const durabox = url.match(/\/(durabox|jest-environment-durabox|vitest-environment-durabox)\/dist\/([^?]+)/);
  if (durabox) return `${durabox[1]}/${durabox[2]}`;
  const modules = url.split("/node_modules/");
  if (modules.length > 1) {
    const rest = modules.at(-1).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  return "(project)";
}

/** One profile: total, self time per bucket, and inclusive time per matcher (ms). */
export function analyse(profile, matchers = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + dt);
  }
  const buckets = {};
  const inclusive = Object.fromEntries(Object.keys(matchers).map((k) => [k, 0]));
  let total = 0;
  let idle = 0;
  // Busy time before the first sample in a test file's code (its module body or a test).
  let beforeTest = 0;
  let inTestYet = false;
  const inTest = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) if (/\.test\.[cm]?[jt]s/.test(nodes.get(at).callFrame.url)) return true;
    return false;
  };
  for (let i = 0; i < samples.length && !inTestYet; i++) {
    if (inTest(samples[i])) inTestYet = true;
    else if (nodes.get(samples[i]).callFrame.functionName !== "(idle)") beforeTest += timeDeltas[i + 1] ?? 0;
  }
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    const bucket = bucketOf(node.callFrame);
    buckets[bucket] = (buckets[bucket] ?? 0) + us / 1000;
    if (bucket === "(idle)") idle += us;
    total += us;
    // Inclusive: count this sample once for every matcher some ancestor matches.
    const hit = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at).callFrame;
      for (const [name, match] of Object.entries(matchers)) if (!hit.has(name) && match(frame)) hit.add(name);
    }
    for (const name of hit) inclusive[name] += us / 1000;
  }
  return { totalMs: total / 1000, busyMs: (total - idle) / 1000, beforeTestMs: beforeTest / 1000, buckets, inclusive };
}

export function analyseDir(dir, matchers) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .flatMap((f) => {
      let profile;
      try {
        profile = JSON.parse(readFileSync(path.join(dir, f), "utf8"));
      } catch {
        return []; // a worker killed while writing its profile
      }
      return [{ file: f, ...analyse(profile, matchers) }];
    });
}

/** Medians across profiles, per bucket (buckets under `minMs` in every profile folded into "(other)"). */
export function summarise(results, { minMs = 2 } = {}) {
  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const names = new Set(results.flatMap((r) => Object.keys(r.buckets)));
  const buckets = {};
  let other = 0;
  for (const name of names) {
    const m = med(results.map((r) => r.buckets[name] ?? 0));
    if (m >= minMs || name.includes("durabox")) buckets[name] = m;
    else other += m;
  }
  buckets["(other)"] = other;
  const inclusive = {};
  for (const name of Object.keys(results[0]?.inclusive ?? {})) inclusive[name] = med(results.map((r) => r.inclusive[name]));
  return {
    profiles: results.length,
    busyMs: med(results.map((r) => r.busyMs)),
    firstTestBusyMs: med(results.map((r) => r.beforeTestMs)),
    totalMs: med(results.map((r) => r.totalMs)),
    buckets,
    inclusive,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = summarise(analyseDir(process.argv[2], {}));
  console.log(
    `profiles ${s.profiles}, busy ${s.busyMs.toFixed(1)} ms (${s.firstTestBusyMs.toFixed(1)} before the first test), total ${s.totalMs.toFixed(1)} ms (medians)`,
  );
  for (const [k, v] of Object.entries(s.buckets).sort((a, b) => b[1] - a[1])) console.log(`${v.toFixed(1).padStart(8)}  ${k}`);
}
