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

/** Every profile in `dir`, analysed; with `phaseList`, also its time by phase (`phases`). */
export function analyseDir(dir, matchers, phaseList) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .flatMap((f) => {
      let profile;
      try {
        profile = JSON.parse(readFileSync(path.join(dir, f), "utf8"));
      } catch {
        return []; // a worker killed while writing its profile
      }
      return [{ file: f, ...analyse(profile, matchers), ...(phaseList !== undefined && { phases: phases(profile, phaseList) }) }];
    });
}

/**
 * A Jest worker's time by phase of a test file's life, for `phases()`: each sample counts under the
 * innermost frame that matches one (so the runtime's SQLite opens, inside a test, count as opens).
 */
export const JEST_PHASES = [
  ["jest-environment-node's constructor", (f) => f.functionName === "NodeEnvironment" && f.url.includes("jest-environment-node")],
  ["the runtime evaluated in the file's context", (f) => f.functionName === "loadTestingRuntime"],
  ["the rest of the environment's constructor (TestRuntime, globals)", (f) => f.functionName === "DuraboxEnvironment"],
  ["test code (the suite's tests, durabox's work for them)", (f) => /\.test\.[cm]?[jt]s/.test(f.url)],
  ["the runtime's construction (options, wrangler file, worker loaded)", (f) => f.functionName === "get durabox"],
  ["SQLite databases opened (one per object)", (f) => f.functionName === "get sqlite" && f.url.includes("durabox")],
  ["scopes: per-test and per-describe rollback (handleTestEvent)", (f) => f.functionName === "handleTestEvent"],
  ["teardown", (f) => f.functionName === "teardown"],
  ["Jest's transform", (f) => f.url.includes("@jest/transform")],
];

/** Busy ms per phase of one profile (`phases`: [name, matcher]); what no phase matches is "other"; GC apart. */
export function phases(profile, list) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phaseOf = new Map();
  const of = (id) => {
    if (phaseOf.has(id)) return phaseOf.get(id);
    const leaf = nodes.get(id).callFrame.functionName;
    let phase = leaf === "(idle)" ? null : leaf === "(garbage collector)" ? "garbage collection" : undefined;
    for (let at = id; phase === undefined && at !== undefined; at = parent.get(at)) {
      phase = list.find(([, match]) => match(nodes.get(at).callFrame))?.[0];
    }
    phase ??= "other (the runner itself)";
    phaseOf.set(id, phase);
    return phase;
  };
  const out = {};
  for (let i = 0; i < profile.samples.length; i++) {
    const phase = of(profile.samples[i]);
    if (phase !== null) out[phase] = (out[phase] ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000;
  }
  return out;
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
