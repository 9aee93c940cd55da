// D1 query throughput: durabox's D1 binding beside the raw SQLite driver (the floor) and Miniflare 2's beta
// D1, in one run, each side in its own Node process per round (bench/workloads/d1-query.mjs).
// Usage: npm run build && node bench/d1.mjs [--rounds N] [--node 20,24] [--no-write]
// --node: the Node majors to run on (default: this one, and 24 if this is another: there durabox uses
// node:sqlite); other majors are the registry's builds (bench/lib/node-builds.mjs), where only durabox and
// the floor run (Miniflare 2 is compared on the Node running the bench).
// Rewrites the "D1" section of bench/RESULTS.md (between its markers) unless --no-write.
import { SECTIONS, withSection } from "./lib/sections.mjs";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureNodeBuild } from "./lib/node-builds.mjs";
import { ensurePeer, miniflareVersion } from "./lib/peer.mjs";
import { gridMarkdown, gridText } from "./lib/report.mjs";
import { runWorkload } from "./lib/spawn.mjs";
import { median } from "./lib/stats.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH, "..");
const RESULTS = path.join(BENCH, "RESULTS.md");
const [BEGIN, END] = SECTIONS.d1;
const TARGET = 0.7;
const THIS_MAJOR = Number(process.versions.node.split(".")[0]);

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    node: { type: "string", default: THIS_MAJOR === 24 ? "24" : `${THIS_MAJOR},24` },
    "no-write": { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const majors = values.node.split(",").map(Number);
if (rounds < 1 || !Number.isInteger(rounds)) throw new Error(`--rounds must be a whole number of at least 1, got ${values.rounds}`);
if (majors.some((major) => !Number.isInteger(major) || major < 20)) {
  throw new Error(`--node takes Node majors (20 or later), comma-separated, got ${values.node}`);
}

const METRICS = [
  {
    key: "selectOpsPerSec",
    name: "point select",
    label: "point select by primary key over 10,000 rows: prepare(…).bind(id).first() (floor: get())",
  },
  { key: "insertOpsPerSec", name: "insert, one per call", label: "insert, one call each, committed (floor: autocommit)" },
  { key: "batchOpsPerSec", name: "insert, 100 in one batch()", label: "insert, 100 in one batch() (floor: between BEGIN and COMMIT)" },
];

ensurePeer();
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(", ");
const runs = {};
const failures = {};
const loads = {};
for (const major of majors) {
  const execPath = ensureNodeBuild(major);
  const sides = major === THIS_MAJOR ? ["durabox", "floor", "miniflare"] : ["durabox", "floor"];
  const version = execFileSync(execPath, ["--version"], { encoding: "utf8" }).trim();
  runs[version] = Object.fromEntries(sides.map((side) => [side, []]));
  failures[version] = {};
  loads[version] = { before: loadAverage() };
  for (let round = 1; round <= rounds; round++) {
    for (const side of sides) {
      if (failures[version][side]) continue;
      process.stdout.write(`Node ${version}, round ${round}/${rounds}: ${side}...\n`);
      try {
        runs[version][side].push(await runWorkload(side, "d1-query", { execPath }));
      } catch (error) {
        failures[version][side] = error.message.split("\n").slice(0, 3).join(" ");
      }
    }
  }
  loads[version].after = loadAverage();
}

const fmt = (value) => (value === undefined ? "—" : Math.round(value).toLocaleString("en-US"));
const ratio = (a, b) => (a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`);
const header = ["metric (ops/s)", "durabox", "floor (raw driver)", "Miniflare 2", "durabox ÷ floor", "durabox ÷ Miniflare 2"];

/** Per Node: its table's rows, the targets, the driver, and the failures. */
const reports = Object.entries(runs).map(([version, bySide]) => {
  const med = (side, key) => (bySide[side]?.length > 0 ? median(bySide[side].map((run) => run[key])) : undefined);
  const rows = METRICS.map(({ key, label }) => {
    const [d, f, m] = ["durabox", "floor", "miniflare"].map((side) => med(side, key));
    return [label, fmt(d), fmt(f), fmt(m), ratio(d, f), ratio(d, m)];
  });
  const targets = METRICS.map(({ key, name }) => {
    const r = med("durabox", key) / med("floor", key);
    return `Target: durabox ≥ ${TARGET}× the driver: ${name} — **${r >= TARGET ? "met" : "missed"}** (${r.toFixed(2)}×).`;
  });
  const driver = bySide.durabox[0]?.driver ?? bySide.floor[0]?.driver ?? "unknown";
  return { version, rows, targets, driver, failures: Object.entries(failures[version]), load: loads[version] };
});
for (const report of reports) {
  console.log(`\nNode ${report.version} (${report.driver}); load average ${report.load.before} before, ${report.load.after} after`);
  console.log(gridText(header, report.rows) + "\n\n" + report.targets.join("\n").replaceAll("**", ""));
  for (const [side, error] of report.failures) console.log(`${side} failed: ${error}`);
}

if (!values["no-write"]) {
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const section = [
    BEGIN,
    "## D1 (13): query throughput beside the raw driver and Miniflare 2",
    "",
    `Generated by \`bench/d1.mjs\` on ${new Date().toISOString().slice(0, 10)}.`,
    "",
    "| | |",
    "| --- | --- |",
    `| CPU | ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${os.platform()} ${os.release()} ${os.arch()} |`,
    `| Node | ${reports.map((report) => report.version).join(", ")} (the first runs the bench; others are the registry's builds) |`,
    `| durabox | HEAD ${head}, dist/ |`,
    `| miniflare | ${miniflareVersion()} on ${process.version} only (run with \`--experimental-vm-modules\`; D1 bound as \`__D1_BETA__DB\`, the beta prefix wrangler 2 gave it, on the better-sqlite3 its npx-import resolves: the repository's) |`,
    "",
    ...reports.flatMap((report) => [
      `### Node ${report.version}: ${report.driver}`,
      "",
      `Load average (1, 5, 15 min) ${report.load.before} when this Node's rounds began, ${report.load.after} when they ended (2 cores, shared).`,
      "",
      gridMarkdown(header, report.rows),
      "",
      ...report.targets.flatMap((line) => [line, ""]),
      ...report.failures.flatMap(([side, error]) => [`${side} failed: ${error}`, ""]),
    ]),
    `${rounds} round(s) per Node, each side in its own Node process, one after the other; the figures are medians across rounds.`,
    "Each timed iteration is a batch of 100 calls (tinybench, 300 ms warm-up, 1,500 ms); ops/s is 100 ÷ the median",
    "batch time. Table `items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value REAL NOT NULL)` seeded with 10,000",
    "rows; every row read is checked, and the row count at the end. durabox and Miniflare 2 run the same D1 code:",
    "each call prepares its statement (as a worker does per request) and is awaited before the next. The floor is",
    "the driver durabox loads in that Node, used directly with each statement prepared once, its calls awaited too.",
    "durabox's D1 runs each call as local workerd does, through the SQLite-backed object's SQL layer (`sql.exec`'s",
    "checks, production's authorizer and error texts, statements and verdicts cached per text until the schema",
    "changes; for D1 without a cursor where a statement's rows are known when it returns) with the call's meta",
    "(changes, last_row_id, size_after, duration, …). A write opens and releases the savepoint of the implicit",
    "transaction (as 8a's lone inserts); its changes and last_row_id are the driver's own run() result while no",
    "trigger or foreign key can change more rows (else `total_changes()` and `last_insert_rowid()` are read back);",
    "the size (`PRAGMA page_count`) is read once per call that wrote, inside its transaction. A lone insert costs",
    "four statements where the floor's autocommit costs one; a batch one per insert and three per call. Costs left",
    "that keep semantics: each statement's `duration` is one clock read (about 50 ns on this machine, a tenth of",
    "node:sqlite's insert); SQLite prepares `PRAGMA page_count` anew on every run (about 0.6 µs per call that wrote).",
    "Reproduce: `npm run build && node bench/d1.mjs` (`--rounds 1 --no-write` for a quick look).",
    END,
  ].join("\n");
  writeFileSync(RESULTS, withSection(readFileSync(RESULTS, "utf8"), "d1", section));
  console.log(`\nwrote the D1 section of ${path.relative(ROOT, RESULTS)}`);
}
