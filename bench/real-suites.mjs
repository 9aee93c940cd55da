// Real-shaped suites (issue 22): five suites shaped like the public ones written for @cloudflare/vitest-plugin
// (many small files, one large file, WebSockets, RPC-heavy, D1 migrations in beforeAll), each run on durabox
// (Vitest 5, Vitest 4, Jest 30), on the plugin (real workerd, Vitest 5) and on the floor (as many trivial tests in
// the runner's node environment), all on the registry's Node 24, with each side's defaults and its fastest
// settings (Vitest's isolate: false on both durabox and the plugin). Every round runs every case once,
// interleaved (the order reversed every other round), so load changes hit all sides alike. Each run records
// wall time, the CPU time of the process tree and the peak RSS of every worker (bench/lib/process-tree.mjs), and
// counts only if every test passed; a case that fails shows as failed with its first error line.
//
//   npm run build && node bench/real-suites.mjs               # 3 rounds, then bench/RESULTS.md's section
//   node bench/real-suites.mjs --rounds 1 --only many-small,durabox-vitest5,plugin-vitest5 --no-write
//
// --only takes shapes (many-small, one-large, websockets, rpc-heavy, d1-migrations), sides (durabox-vitest5,
// durabox-vitest4, durabox-jest30, plugin-vitest5, floor-vitest5, floor-vitest4, floor-jest30) and modes
// (defaults, fastest), comma-separated; each kind not named is all of it. Logs of failed runs stay in
// bench/.real-suites/logs/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  CONFORMANCE_MODULES,
  MODES,
  NODE24,
  REAL_DIR,
  ROOT,
  SIDES,
  commandOf,
  generate,
  prepareTrees,
  runnerOf,
} from "./lib/real-projects.mjs";
import { SHAPES, testsOf } from "./lib/real-shapes.mjs";
import { runTree, treeSupported, workersOf } from "./lib/process-tree.mjs";
import { gridMarkdown, gridText } from "./lib/report.mjs";
import { withSection } from "./lib/sections.mjs";
import { median } from "./lib/stats.mjs";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    "no-write": { type: "boolean", default: false },
    check: { type: "string", default: "warm" },
  },
});
if (!["warm", "all"].includes(args.check)) throw new Error(`--check takes "warm" or "all", not ${JSON.stringify(args.check)}`);
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 0) throw new Error(`--rounds takes a whole number of rounds, not ${JSON.stringify(args.rounds)}`);

const only = args.only ? args.only.split(",").map((s) => s.trim()) : [];
for (const name of only)
  if (!(name in SHAPES) && !(name in SIDES) && !(name in MODES))
    throw new Error(
      `--only: ${JSON.stringify(name)} is none of the shapes (${Object.keys(SHAPES).join(", ")}), sides (${Object.keys(SIDES).join(", ")}) or modes (${Object.keys(MODES).join(", ")})`,
    );
const pick = (all) => {
  const named = Object.keys(all).filter((k) => only.includes(k));
  return named.length > 0 ? named : Object.keys(all);
};
const shapes = pick(SHAPES);
const sides = pick(SIDES);
const modes = pick(MODES);

if (!existsSync(NODE24) || !existsSync(path.join(CONFORMANCE_MODULES, "@cloudflare", "vitest-plugin")))
  throw new Error(`Node 24 and the plugin come from conformance/node_modules (npm --prefix conformance install); ${NODE24} is missing.`);
if (!treeSupported()) throw new Error("This bench reads /proc and runs /usr/bin/time: Linux with GNU time only.");

const version = (modules, name) => JSON.parse(readFileSync(path.join(modules, name, "package.json"), "utf8")).version;
const VERSIONS = {
  node: execFileSync(NODE24, ["-v"], { encoding: "utf8" }).trim(),
  vitest5: version(CONFORMANCE_MODULES, "vitest"),
  vitest4: version(path.join(ROOT, "node_modules"), "vitest"),
  jest30: version(path.join(ROOT, "node_modules"), "jest"),
  plugin: version(CONFORMANCE_MODULES, "@cloudflare/vitest-plugin"),
  workerd: version(CONFORMANCE_MODULES, "workerd"),
};
const RUNNER_NAMES = { vitest5: `Vitest ${VERSIONS.vitest5}`, vitest4: `Vitest ${VERSIONS.vitest4}`, jest30: `Jest ${VERSIONS.jest30}` };

await prepareTrees();
const cases = [];
for (const shape of shapes)
  for (const side of sides) {
    const dir = generate(shape, side);
    for (const mode of modes) if (!(MODES[mode].vitestOnly && runnerOf(side) === "jest30")) cases.push({ shape, side, mode, dir });
  }
const LOGS = path.join(REAL_DIR, "logs");
mkdirSync(LOGS, { recursive: true });

const childEnv = () => {
  const env = { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0", NODE_OPTIONS: "" };
  delete env.VITEST;
  delete env.JEST_WORKER_ID;
  return env;
};

/** The first line that says what went wrong: an error after the first failing test, else the runner's own. */
function firstError(output) {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const fail = lines.findIndex((l) => /\bFAIL\b|●/.test(l));
  const from = fail >= 0 ? fail : 0;
  const error = lines
    .slice(from)
    .find((l) => /\b\w*(Error|Exception)\b[:\s]|\bexpected\b|Cannot |not found/i.test(l) && !/^\s*at /.test(l));
  return (error ?? lines[fail] ?? lines.filter(Boolean).at(-1) ?? "no output").trim().slice(0, 300);
}

/** Whether the run passed: exit 0 and the summary counts every test of the shape as passed, none failed. */
function passed(output, code, shape) {
  const expected = testsOf(shape);
  const summary = output.split("\n").find((l) => /^\s*Tests:?\s/.test(l)) ?? "";
  const count = Number(/(\d+) passed/.exec(summary)?.[1] ?? -1);
  return code === 0 && count === expected && !/failed/.test(summary);
}

const KB_TO_MB = 1 / 1024;
async function runCase(c, label) {
  const [bin, ...rest] = commandOf(c.side, c.mode);
  const r = await runTree(NODE24, [bin, ...rest], { cwd: c.dir, env: childEnv() });
  const load = os.loadavg()[0];
  const ok = passed(r.output, r.code, c.shape);
  const { main, workers, inBand } = workersOf(r.processes);
  const peaks = workers.map((w) => w.hwmKb * KB_TO_MB);
  const result = {
    ok,
    wallS: r.wallS,
    cpuS: r.cpuS,
    load,
    workerCount: workers.length,
    workerMedianMb: peaks.length ? median(peaks) : undefined,
    workerMaxMb: peaks.length ? Math.max(...peaks) : undefined,
    mainMb: main ? main.hwmKb * KB_TO_MB : undefined,
    workerNames: [...new Set(workers.map((w) => w.name))].join("+"),
    inBand,
  };
  if (!ok) {
    const log = path.join(LOGS, `${c.shape}-${c.side}-${c.mode}-${label}.log`);
    writeFileSync(log, r.output);
    result.error = firstError(r.output);
    result.log = path.relative(ROOT, log);
  }
  return result;
}

const nameOf = (c) => `${c.shape} ${c.side} ${c.mode}`;
console.log(
  `real-shaped suites: ${cases.length} cases (${shapes.length} shapes), ${rounds} round(s); ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}; Node ${VERSIONS.node}`,
);

// ---------------------------------------------------------------------------------------------------------
// The table: one row per shape, settings and durabox runner; the plugin's figures (Vitest 5, same settings)
// and the floor's (same runner, same settings) beside durabox's.

const find = (shape, side, mode) => cases.find((c) => c.shape === shape && c.side === side && c.mode === mode);
function summary(shape, side, mode) {
  const c = find(shape, side, mode);
  if (c === undefined) return undefined;
  if (failures.has(c)) return { failed: failures.get(c) };
  const rs = results.get(c);
  if (rs.length === 0) return undefined;
  const m = (key) => {
    const values = rs.map((r) => r[key]).filter((v) => typeof v === "number");
    return values.length ? median(values) : undefined;
  };
  return {
    wallS: m("wallS"),
    cpuS: m("cpuS"),
    workerMb: m("workerMedianMb"),
    workerMaxMb: m("workerMaxMb"),
    load: median(rs.map((r) => r.load)),
    runs: rs.length,
    inBand: rs.some((r) => r.inBand),
    workerCount: median(rs.map((r) => r.workerCount)),
  };
}

const cell = (s) =>
  s === undefined
    ? "—"
    : s.failed
      ? `failed: ${s.failed.error.replace(/\|/g, "\\|")}`
      : `${s.wallS.toFixed(2)} / ${s.cpuS?.toFixed(2) ?? "?"} / ${s.workerMb?.toFixed(0) ?? "?"}${s.inBand ? " (in band)" : ""}`;
const ratio = (a, b, key) => (a && b && !a.failed && !b.failed && a[key] && b[key] ? a[key] / b[key] : undefined);
const times = (x) => (x === undefined ? "—" : `${x.toFixed(2)}×`);
const TARGET = { defaults: 0.33, fastest: 0.5 };
const RSS_TARGET = 1.3;
// Judged on the ratio as the table shows it (two decimals), so a "1.30×" never reads as a miss of "≤ 1.3×".
const meets = (value, target) => Number(value.toFixed(2)) <= target;

const header = [
  "suite",
  "settings",
  "durabox runner",
  "durabox wall / CPU (s) / worker RSS (MB)",
  "plugin (Vitest 5) wall / CPU / workerd RSS",
  "floor wall / CPU / worker RSS",
  "durabox ÷ plugin, wall (target)",
  "durabox ÷ plugin, CPU",
  "durabox ÷ floor, wall / CPU",
  "worker RSS ÷ floor (≤ 1.3×)",
];
/** The rows of the table and the targets' verdicts, from the runs so far. */
function buildTable() {
  const rows = [];
  const verdicts = [];
  for (const shape of shapes)
    for (const mode of modes)
      for (const runner of ["vitest5", "vitest4", "jest30"]) {
        const dSide = `durabox-${runner}`;
        if (!sides.includes(dSide) || find(shape, dSide, mode) === undefined) continue;
        const d = summary(shape, dSide, mode);
        const p = summary(shape, "plugin-vitest5", mode);
        const f = summary(shape, `floor-${runner}`, mode);
        const wallRatio = ratio(d, p, "wallS");
        const rssRatio = ratio(d, f, "workerMb");
        const wallMet = wallRatio === undefined ? "" : meets(wallRatio, TARGET[mode]) ? " met" : " missed";
        const rssMet = rssRatio === undefined || runner === "jest30" ? "" : meets(rssRatio, RSS_TARGET) ? " met" : " missed";
        if (wallRatio !== undefined) verdicts.push({ shape, mode, runner, what: "wall ÷ plugin", value: wallRatio, target: TARGET[mode] });
        if (rssRatio !== undefined && runner !== "jest30")
          verdicts.push({ shape, mode, runner, what: "worker RSS ÷ floor", value: rssRatio, target: RSS_TARGET });
        rows.push([
          shape,
          mode === "defaults" ? "defaults" : "isolate: false",
          RUNNER_NAMES[runner],
          cell(d),
          cell(p),
          cell(f),
          wallRatio === undefined ? "—" : `${times(wallRatio)} (≤ ${TARGET[mode]}×${wallMet})`,
          times(ratio(d, p, "cpuS")),
          `${times(ratio(d, f, "wallS"))} / ${times(ratio(d, f, "cpuS"))}`,
          rssRatio === undefined ? "—" : `${times(rssRatio)}${rssMet}`,
        ]);
      }
  return { rows, verdicts, missed: verdicts.filter((v) => !meets(v.value, v.target)) };
}

function printTable() {
  const { rows, verdicts, missed } = buildTable();
  console.log(`\n${gridText(header, rows)}`);
  console.log(`\ntargets: ${verdicts.length - missed.length} of ${verdicts.length} met`);
  for (const v of missed)
    console.log(`  missed: ${v.shape}, ${v.mode}, ${RUNNER_NAMES[v.runner]}: ${v.what} ${v.value.toFixed(2)}× (target ≤ ${v.target}×)`);
  for (const [c, r] of failures) console.log(`failed: ${nameOf(c)}: ${r.error} (log: ${r.log})`);
}

/** bench/RESULTS.md's section, from the `done` rounds so far. */
function writeSection(done) {
  const { rows, verdicts, missed } = buildTable();
  const loads = [...results.values()].flat().map((r) => r.load);
  const file = path.join(ROOT, "bench", "RESULTS.md");
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const failed = [...failures].map(([c, r]) => `- ${nameOf(c)}: \`${r.error.replace(/`/g, "'")}\``);
  const section = [
    "<!-- real-suites-section: written by node bench/real-suites.mjs -->",
    "## Real-shaped suites (issue 22): durabox beside the plugin on real workerd, and beside the floor",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC at ${head}; ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, shared with other sessions (load average, 1 min: median ${loads.length ? median(loads).toFixed(1) : "?"}, ` +
      `${loads.length ? Math.min(...loads).toFixed(1) : "?"}–${loads.length ? Math.max(...loads).toFixed(1) : "?"}). Every side on the registry's Node ${VERSIONS.node}; ` +
      `${RUNNER_NAMES.vitest5}, ${RUNNER_NAMES.vitest4}, ${RUNNER_NAMES.jest30}; @cloudflare/vitest-plugin ${VERSIONS.plugin} with workerd ${VERSIONS.workerd}.`,
    "",
    "**Method.** `bench/real-suites.mjs` generates each suite under `bench/.real-suites/` (git-ignored): one worker",
    "(`src/index.ts`: a key-value `Counter`, a hibernating WebSocket `Room`, a SQLite-backed `Accounts` with RPC methods,",
    "KV and D1 routes; `wrangler.jsonc`), test files written as for the plugin (`cloudflare:test`'s `env`, `SELF`,",
    "`runInDurableObject`, `applyD1Migrations`), the same source on durabox and on the plugin; only the config differs",
    "(`cloudflareTest({ wrangler })` / `durabox({ wrangler })`, `TEST_MIGRATIONS` from `readD1Migrations` in the D1 suite's",
    "config, as the plugin's docs show; under Jest the preset, and the runner's import from `@jest/globals`). The floor is",
    "as many files of as many trivial tests in the runner's `node` environment (Jest's with durabox's transform). Every",
    'run uses 2 workers (`--maxWorkers=2`); "defaults" is each side\'s own isolation (durabox: per test; the plugin: per',
    'file), "isolate: false" is `--no-isolate` on both (plugin 1.5 has no `singleWorker`/`isolatedStorage` of its own;',
    "Jest has no such switch). Unscored runs first fill the caches round 1 would pay for (every Jest project: its transform",
    "cache; the first durabox project of each `node_modules` tree: durabox's code cache; the plugin's first project), then",
    `each case runs once per round, ${done} round(s), interleaved, the order reversed every other round; figures are`,
    "medians. Wall: spawn to exit.",
    "CPU: user + system of the whole process tree (`/usr/bin/time`). Worker RSS: the peak (`VmHWM`) of each worker",
    "process, sampled from `/proc` every 40 ms while the run goes (Vitest's forks, Jest's workers, the plugin's `workerd`),",
    'median over the run\'s workers; "in band" means the runner used no worker (Jest with one file), its main process counted.',
    "A run counts only if every test passed.",
    "",
    ...Object.entries(SHAPES)
      .filter(([shape]) => shapes.includes(shape))
      .map(([shape, s]) => `- \`${shape}\`: ${s.label}`),
    "",
    gridMarkdown(header, rows),
    "",
    `Targets: ${verdicts.length - missed.length} of ${verdicts.length} met (wall ≤ 0.33× the plugin's with defaults, ≤ 0.5× with isolate: false; worker RSS ≤ 1.3× the floor's, Vitest).`,
    ...missed.map(
      (v) => `- missed: ${v.shape}, ${v.mode}, ${RUNNER_NAMES[v.runner]}: ${v.what} ${v.value.toFixed(2)}× (target ≤ ${v.target}×)`,
    ),
    ...(failed.length ? ["", "Failed (not scored):", ...failed] : []),
    "",
    "Reproduce: `npm run build && node bench/real-suites.mjs` (`--rounds 1 --only many-small,durabox-vitest5,plugin-vitest5 --no-write` for a quick look).",
    "<!-- end of real-suites-section -->",
  ].join("\n");
  writeFileSync(file, withSection(readFileSync(file, "utf8"), "realSuites", section));
  console.log(`\nwrote the real-suites section of ${path.relative(ROOT, file)}`);
}

// Before round 1, unscored: with --check all every project once, in its first mode; by default (warm) only what
// fills a cache round 1 would otherwise pay for: every Jest project (Jest's transform cache, per project), and the
// first durabox project of each tree and the plugin's first (durabox's code cache, one per staged copy; the
// plugin's first start of workerd). Every scored run is checked as well: a case whose run fails is shown failed
// with its first error line and not scored, and is not run again.
const failures = new Map();
const warmed = new Set();
const warmKey = (c) =>
  args.check === "all" || runnerOf(c.side) === "jest30"
    ? c.dir
    : SIDES[c.side].runtime === "floor"
      ? undefined
      : `${SIDES[c.side].tree}-${c.side}`;
for (const c of cases) {
  const key = warmKey(c);
  if (key === undefined || warmed.has(key)) continue;
  warmed.add(key);
  const r = await runCase(c, "check");
  console.log(`check  ${nameOf(c).padEnd(44)} ${r.ok ? "ok" : `FAILED: ${r.error}`}  (${r.wallS.toFixed(1)} s)`);
  if (!r.ok) failures.set(c, r);
}

const results = new Map(cases.map((c) => [c, []]));
for (let round = 0; round < rounds; round++) {
  const live = cases.filter((c) => !failures.has(c));
  const order = round % 2 === 0 ? live : [...live].reverse();
  for (const c of order) {
    if (failures.has(c)) continue;
    const r = await runCase(c, `round${round + 1}`);
    if (!r.ok) {
      // A failure while timed: the case is out; what it scored before does not count either.
      failures.set(c, r);
      console.log(`round ${round + 1}  ${nameOf(c).padEnd(44)} FAILED: ${r.error}`);
      continue;
    }
    results.get(c).push(r);
    console.log(
      `round ${round + 1}  ${nameOf(c).padEnd(44)} wall ${r.wallS.toFixed(2)} s  cpu ${r.cpuS?.toFixed(2)} s  ` +
        `worker RSS ${r.workerMedianMb?.toFixed(0)}/${r.workerMaxMb?.toFixed(0)} MB (${r.workerCount} ${r.workerNames}${r.inBand ? ", in band" : ""})  load ${r.load.toFixed(1)}`,
    );
  }
  // Written after every round, so a run cut short still leaves the rounds it finished.
  if (!args["no-write"]) writeSection(round + 1);
}
printTable();
