// Workload 7: one generated test suite run by real Jest and Vitest on durabox, on Miniflare 2's
// environments, and on a bare floor (the Counter class on a Map, Node's own environment).
//
// Everything lives in bench/.suites/ (git-ignored):
//   node_modules/{durabox,jest-environment-durabox,vitest-environment-durabox}  copies of the built packages,
//     taken once at the start of the bench, so a rebuild during the run (which empties the dist/ folders)
//     cannot break or mix into it. Their dependencies (jest 30, vitest 4, esbuild, ...) resolve from the
//     repository's node_modules, two folders up.
//   <variant>/  one project per variant: src/counter.js, test/file-NN.test.*, the runner's config.
// Miniflare 2's environments are installed with their runners into folders of bench/.peers/ (jest/, jest29/,
// vitest/; see PEER_SETS), and their projects link that node_modules.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PEERS_DIR } from "./peer.mjs";
import { ITEM_TESTS, ITEMS_SOURCE, SQL_FLOOR_PRELUDE, SQL_WRANGLER, sqlTestFile } from "./sql-suite.mjs";

const BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.join(BENCH, "..");
export const SUITES_DIR = path.join(BENCH, ".suites");
const STAGED = path.join(SUITES_DIR, "node_modules");

export const FILES = 20;
export const COUNTER_TESTS = 10;
export const FETCHES = 10;
/** Tests per file: the counters and the writer/reader pair. */
export const TESTS_PER_FILE = COUNTER_TESTS + 2;
export const TOTAL_TESTS = FILES * TESTS_PER_FILE;
export const WORKERS = 2;

// ---------------------------------------------------------------------------------------------------------
// The built packages, copied.

const PACKAGES = [
  {
    name: "durabox",
    dir: ".",
    files: ["package.json", "dist"],
    check: ["dist/index.js", "dist/testing.js", "dist/testing.cjs", "dist/cloudflare-workers.js", "dist/cloudflare-workers.cjs"],
  },
  {
    name: "jest-environment-durabox",
    dir: "environments/jest",
    files: ["package.json", "jest-preset.js", "dist"],
    check: ["dist/index.cjs", "dist/setup.cjs", "dist/transform.cjs"],
  },
  {
    name: "vitest-environment-durabox",
    dir: "environments/vitest",
    files: ["package.json", "dist"],
    check: ["dist/index.js", "dist/config.js", "dist/setup.js", "dist/runner.js", "dist/isolation.js"],
  },
];

const mtime = (file) => statSync(file).mtimeMs;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies durabox and its two environment packages into bench/.suites/node_modules. The build writes dist/
 * first and the environments after, emptying each folder first: a copy is kept only if every entry is
 * there, no environment entry is older than dist/index.js (else the build is between the two), and
 * dist/index.js did not change during the copy. Returns the time dist/index.js was built. `into`: the
 * node_modules folder to copy into (bench/real-suites.mjs stages its own); `root`: the checkout whose build is
 * copied (bench/unused-files.mjs's --before stages another).
 */
export async function stagePackages({ attempts = 30, into = STAGED, root = ROOT } = {}) {
  let problem = "";
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(2000);
    try {
      const core = path.join(root, "dist", "index.js");
      const before = mtime(core);
      for (const pkg of PACKAGES) rmSync(path.join(into, pkg.name), { recursive: true, force: true });
      if (into === STAGED) rmSync(STAGED, { recursive: true, force: true });
      for (const pkg of PACKAGES) {
        const from = path.join(root, pkg.dir);
        const to = path.join(into, pkg.name);
        mkdirSync(to, { recursive: true });
        for (const file of pkg.files) cpSync(path.join(from, file), path.join(to, file), { recursive: true });
        for (const file of pkg.check) {
          if (!existsSync(path.join(to, file))) throw new Error(`${pkg.name}/${file} missing (a build is running?)`);
          if (pkg.name !== "durabox" && mtime(path.join(from, file)) < before)
            throw new Error(`${pkg.name}/${file} older than dist/index.js (a build is running?)`);
        }
      }
      if (!existsSync(core) || mtime(core) !== before) throw new Error("dist/index.js changed during the copy");
      return statSync(core).mtime;
    } catch (error) {
      problem = error.message;
    }
  }
  throw new Error(`Could not copy a complete build of durabox and its environments: ${problem}. Run \`npm run build\`, then the bench.`);
}

// ---------------------------------------------------------------------------------------------------------
// Miniflare 2's environments, each with a runner it supports.

export const MINIFLARE_ENV_VERSION = "2.14.4";

/** A package's version in the repository's node_modules (the runners durabox's suites use). */
export function rootVersion(name) {
  return JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
}

/**
 * Miniflare 2's environments, each installed with a runner into its own folder. Both declare open-ended
 * peer ranges (jest >= 27, vitest >= 0.23), and both run their suites under the repository's own Jest 30
 * and Vitest 4, so the main comparison uses exactly the runner versions durabox's suites use (only the
 * environment differs). Jest 29, the last major Miniflare 2 was tested against, is a second Jest row.
 */
export const PEER_SETS = {
  jest: {
    dir: path.join(PEERS_DIR, "jest"),
    packages: () => ({ "jest-environment-miniflare": MINIFLARE_ENV_VERSION, jest: rootVersion("jest") }),
    overrides: () => ({}),
  },
  jest29: {
    dir: path.join(PEERS_DIR, "jest29"),
    packages: () => ({ "jest-environment-miniflare": MINIFLARE_ENV_VERSION, jest: "29.7.0" }),
    // jest-environment-miniflare depends on "@jest/environment": ">=27" and friends: keep them at Jest's 29.
    overrides: () => ({
      "@jest/environment": "29.7.0",
      "@jest/fake-timers": "29.7.0",
      "@jest/types": "29.6.3",
      "jest-mock": "29.7.0",
      "jest-util": "29.7.0",
    }),
  },
  vitest: {
    dir: path.join(PEERS_DIR, "vitest"),
    packages: () => ({ "vitest-environment-miniflare": MINIFLARE_ENV_VERSION, vitest: rootVersion("vitest") }),
    overrides: () => ({}),
  },
};

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

export function peerVersion(set, name) {
  return installedVersion(PEER_SETS[set].dir, name);
}

export function ensureSuitePeers() {
  for (const [name, set] of Object.entries(PEER_SETS)) {
    const wanted = Object.entries(set.packages());
    if (wanted.every(([pkg, version]) => installedVersion(set.dir, pkg) === version)) continue;
    console.log(`Installing ${wanted.map(([p, v]) => `${p}@${v}`).join(", ")} into bench/.peers/${name}/ ...`);
    mkdirSync(set.dir, { recursive: true });
    writeFileSync(
      path.join(set.dir, "package.json"),
      JSON.stringify({ name: `durabox-bench-peers-${name}`, private: true, overrides: set.overrides() }, null, 2) + "\n",
    );
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    execFileSync(npm, ["install", "--no-audit", "--no-fund", "--save-exact", ...wanted.map(([p, v]) => `${p}@${v}`)], {
      cwd: set.dir,
      stdio: "inherit",
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The suite's sources.

/** The worker: a Counter whose fetch reads, increments and writes "n". The same file in every project. */
const COUNTER_SOURCE = `export class Counter {
  constructor(state, env) {
    this.state = state;
    this.env = env;
  }
  async fetch(request) {
    const n = ((await this.state.storage.get("n")) ?? 0) + 1;
    await this.state.storage.put("n", n);
    return new Response(String(n));
  }
}

export default {
  fetch(request, env) {
    return env.COUNTER.get(env.COUNTER.idFromName(new URL(request.url).pathname)).fetch(request);
  },
};
`;

const WRANGLER = `name = "bench-suite"
main = "src/counter.js"
compatibility_date = "2024-09-23"

[durable_objects]
bindings = [{ name = "COUNTER", class_name = "Counter" }]

[[migrations]]
tag = "v1"
new_classes = ["Counter"]
`;

/**
 * One test file's body: COUNTER_TESTS tests that each increment their own object FETCHES times through
 * stub.fetch and then check its storage, and a writer/reader pair that holds only with per-test isolation.
 * `prelude` binds `env`, `storageOf(id)` (a promise of the object's storage) and the runner's globals.
 */
function testFile(index, prelude, describeName = "describe") {
  const file = String(index).padStart(2, "0");
  return `${prelude}
${describeName}("file ${file}", () => {
  for (let t = 0; t < ${COUNTER_TESTS}; t++) {
    test(\`counter \${t} counts to ${FETCHES}\`, async () => {
      const id = env.COUNTER.idFromName(\`file-${file}-counter-\${t}\`);
      const stub = env.COUNTER.get(id);
      for (let i = 1; i <= ${FETCHES}; i++) {
        const response = await stub.fetch("http://localhost/increment");
        expect(await response.text()).toBe(String(i));
      }
      expect(await (await storageOf(id)).get("n")).toBe(${FETCHES});
    });
  }

  test("writer: writes to a shared object", async () => {
    const id = env.COUNTER.idFromName("shared");
    const response = await env.COUNTER.get(id).fetch("http://localhost/increment");
    expect(await response.text()).toBe("1");
    expect(await (await storageOf(id)).get("n")).toBe(1);
  });

  test("reader: sees the shared object's storage empty again", async () => {
    expect(await (await storageOf(env.COUNTER.idFromName("shared"))).get("n")).toBeUndefined();
  });
});
`;
}

/** The floor's stand-in for a runtime: the Counter class on a Map, one instance and storage per name, reset per test. */
const FLOOR_PRELUDE = (imports) => `${imports}
function mapStorage() {
  const map = new Map();
  return {
    async get(key) { return map.get(key); },
    async put(key, value) { map.set(key, value); },
  };
}
let objects = new Map();
beforeEach(() => { objects = new Map(); });
function objectOf(id) {
  let object = objects.get(id);
  if (object === undefined) {
    object = new Counter({ id, storage: mapStorage() }, env);
    objects.set(id, object);
  }
  return object;
}
const env = {
  COUNTER: {
    idFromName: (name) => name,
    get: (id) => ({ fetch: (input, init) => objectOf(id).fetch(new Request(input, init)) }),
  },
};
const storageOf = async (id) => objectOf(id).state.storage;
`;

function miniflareJest(peers) {
  return {
    runner: "jest",
    runtime: "miniflare",
    peers,
    label: "Miniflare 2, Jest",
    setup: (dir) => {
      // Miniflare loads the worker itself (in a vm module: --experimental-vm-modules); the tests use only
      // its globals, so they need no transform and stay CommonJS.
      writeFileSync(
        path.join(dir, "jest.config.cjs"),
        jestConfig({
          testEnvironment: "miniflare",
          testEnvironmentOptions: { modules: true, scriptPath: "src/counter.js", durableObjects: { COUNTER: "Counter" } },
          transform: {},
        }),
      );
    },
    file: (i) => [
      "test/file-" + pad(i) + ".test.js",
      testFile(
        i,
        `const env = getMiniflareBindings();
const storageOf = (id) => getMiniflareDurableObjectStorage(id);
`,
      ),
    ],
  };
}

/**
 * What durabox's and the floor's projects of one suite differ in: the worker's files, the wrangler file, a
 * test file's text given its prelude, the floor's prelude (the class under the runner's node environment)
 * and the class's import.
 */
const COUNTER_SUITE = {
  sources: { "src/counter.js": COUNTER_SOURCE },
  wrangler: WRANGLER,
  testFile,
  floorPrelude: FLOOR_PRELUDE,
  classImport: `import { Counter } from "../src/counter.js";`,
  floorLabel: "node (Counter on a Map)",
};

/** Workload 8d: a SQLite-backed class (lib/sql-suite.mjs). */
const SQL_SUITE = {
  sources: { "src/items.js": ITEMS_SOURCE },
  wrangler: SQL_WRANGLER,
  testFile: sqlTestFile,
  floorPrelude: SQL_FLOOR_PRELUDE,
  classImport: `import { Items } from "../src/items.js";`,
  floorLabel: "node (Items on better-sqlite3 :memory:)",
  label: " (SQLite)",
  tests: FILES * (ITEM_TESTS + 2),
};

const DURABOX_PRELUDE = `import { env, getDurableObjectStorage } from "durabox/testing";
const storageOf = async (id) => getDurableObjectStorage(id);
`;

function duraboxJest(suite) {
  return {
    runner: "jest",
    runtime: "durabox",
    label: `durabox, Jest${suite.label ?? ""}`,
    environment: "jest-environment-durabox (preset)",
    suite,
    setup: (dir) => {
      writeFileSync(path.join(dir, "wrangler.toml"), suite.wrangler);
      writeFileSync(path.join(dir, "jest.config.cjs"), jestConfig({ preset: "jest-environment-durabox" }));
    },
    file: (i) => ["test/file-" + pad(i) + ".test.js", suite.testFile(i, DURABOX_PRELUDE)],
  };
}

function duraboxVitest(suite) {
  return {
    runner: "vitest",
    runtime: "durabox",
    label: `durabox, Vitest${suite.label ?? ""}`,
    environment: "vitest-environment-durabox (durabox())",
    suite,
    setup: (dir) => {
      writeFileSync(path.join(dir, "wrangler.toml"), suite.wrangler);
      writeFileSync(
        path.join(dir, "vitest.config.mjs"),
        `import { defineConfig } from "vitest/config";
import { durabox } from "vitest-environment-durabox/config";

export default defineConfig({
  plugins: [durabox()],
});
`,
      );
    },
    file: (i) => [
      "test/file-" + pad(i) + ".test.js",
      suite.testFile(i, `import { describe, expect, test } from "vitest";\n${DURABOX_PRELUDE}`),
    ],
  };
}

function floorJest(suite) {
  return {
    runner: "jest",
    runtime: "floor",
    label: `floor, Jest${suite.label ?? ""}`,
    environment: suite.floorLabel,
    suite,
    // Node's environment; the same esbuild transform as durabox's preset, so only the environment differs.
    setup: (dir) =>
      writeFileSync(
        path.join(dir, "jest.config.cjs"),
        jestConfig({
          testEnvironment: "node",
          transform: { "\\.[cm]?[jt]sx?$": "jest-environment-durabox/transform" },
        }),
      ),
    file: (i) => ["test/file-" + pad(i) + ".test.js", suite.testFile(i, suite.floorPrelude(suite.classImport))],
  };
}

function floorVitest(suite) {
  return {
    runner: "vitest",
    runtime: "floor",
    label: `floor, Vitest${suite.label ?? ""}`,
    environment: suite.floorLabel,
    suite,
    setup: (dir) =>
      writeFileSync(
        path.join(dir, "vitest.config.mjs"),
        `import { defineConfig } from "vitest/config";

export default defineConfig({ test: { environment: "node" } });
`,
      ),
    file: (i) => [
      "test/file-" + pad(i) + ".test.js",
      suite.testFile(i, suite.floorPrelude(`import { beforeEach, describe, expect, test } from "vitest";\n${suite.classImport}`)),
    ],
  };
}

/**
 * The variants: runner x runtime (x suite). `file(i)` is a test file's name and text; `setup(dir)` writes the
 * rest; `suite` the worker's sources and the number of tests (COUNTER_SUITE's when absent).
 */
export const VARIANTS = {
  "durabox-jest": duraboxJest(COUNTER_SUITE),
  "durabox-vitest": duraboxVitest(COUNTER_SUITE),
  "miniflare-jest": miniflareJest("jest"),
  "miniflare-jest29": miniflareJest("jest29"),
  "miniflare-vitest": {
    runner: "vitest",
    runtime: "miniflare",
    peers: "vitest",
    label: "Miniflare 2, Vitest",
    setup: (dir) => {
      writeFileSync(
        path.join(dir, "vitest.config.mjs"),
        `import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "miniflare",
    environmentOptions: { modules: true, scriptPath: "src/counter.js", durableObjects: { COUNTER: "Counter" } },
  },
});
`,
      );
    },
    file: (i) => [
      "test/file-" + pad(i) + ".test.js",
      testFile(
        i,
        `import { expect, test } from "vitest";
const describe = setupMiniflareIsolatedStorage();
const env = getMiniflareBindings();
const storageOf = (id) => getMiniflareDurableObjectStorage(id);
`,
      ),
    ],
  },
  "floor-jest": floorJest(COUNTER_SUITE),
  "floor-vitest": floorVitest(COUNTER_SUITE),
  "durabox-sql-jest": duraboxJest(SQL_SUITE),
  "durabox-sql-vitest": duraboxVitest(SQL_SUITE),
  "floor-sql-jest": floorJest(SQL_SUITE),
  "floor-sql-vitest": floorVitest(SQL_SUITE),
};

/** Workload 8d's projects, in the order of its tables. */
export const SQL_SUITE_VARIANTS = ["durabox-sql-jest", "floor-sql-jest", "durabox-sql-vitest", "floor-sql-vitest"];

/** The tests a variant's suite holds (all must pass). */
export const testsOf = (name) => VARIANTS[name].suite?.tests ?? TOTAL_TESTS;

function pad(i) {
  return String(i).padStart(2, "0");
}

function jestConfig(config) {
  return `/** @type {import("jest").Config} */
module.exports = ${JSON.stringify({ ...config, cacheDirectory: "<rootDir>/.jest-cache" }, null, 2)};
`;
}

/**
 * Writes the variant's project into bench/.suites/<variant>/ (from scratch) and returns its folder;
 * `files` and `folder` make a larger copy elsewhere (workload 7e).
 */
export function generate(name, { files = FILES, folder = name } = {}) {
  const variant = VARIANTS[name];
  const dir = path.join(SUITES_DIR, folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "src"), { recursive: true });
  mkdirSync(path.join(dir, "test"), { recursive: true });
  // Vitest and durabox's Jest preset read ES modules; Miniflare's Jest project keeps CommonJS tests.
  const type = variant.runner === "vitest" ? "module" : "commonjs";
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `bench-suite-${name}`, private: true, type }, null, 2) + "\n");
  for (const [file, text] of Object.entries(variant.suite?.sources ?? COUNTER_SUITE.sources)) writeFileSync(path.join(dir, file), text);
  if (variant.peers) symlinkSync(path.join(PEER_SETS[variant.peers].dir, "node_modules"), path.join(dir, "node_modules"), "dir");
  variant.setup(dir);
  for (let i = 1; i <= files; i++) {
    const [file, text] = variant.file(i);
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------------------
// Running a variant.

function runnerBin(variant) {
  const modules = variant.peers ? path.join(PEER_SETS[variant.peers].dir, "node_modules") : path.join(ROOT, "node_modules");
  return variant.runner === "jest" ? path.join(modules, "jest", "bin", "jest.js") : path.join(modules, "vitest", "vitest.mjs");
}

export function runnerVersion(name) {
  const variant = VARIANTS[name];
  const modules = variant.peers ? path.join(PEER_SETS[variant.peers].dir, "node_modules") : path.join(ROOT, "node_modules");
  return JSON.parse(readFileSync(path.join(modules, variant.runner, "package.json"), "utf8")).version;
}

/** The node arguments that run the variant's whole suite once, from its folder, with WORKERS workers. */
export function commandOf(name, extra = []) {
  const variant = VARIANTS[name];
  const workers =
    variant.runner === "jest"
      ? [`--maxWorkers=${WORKERS}`]
      : Number(runnerVersion(name).split(".")[0]) >= 1
        ? [`--maxWorkers=${WORKERS}`]
        : [`--maxThreads=${WORKERS}`, `--minThreads=${WORKERS}`];
  const run = variant.runner === "jest" ? ["--ci"] : ["run"];
  return [runnerBin(variant), ...run, ...workers, ...extra];
}

/**
 * The environment for a runner child: CI (no watch, no interactive output), and NODE_OPTIONS empty except
 * for Miniflare 2, which runs `modules: true` workers in node:vm's SourceTextModule: it needs
 * --experimental-vm-modules in every worker process, and Vitest's forks do not inherit the parent's
 * command-line flags (NODE_OPTIONS reaches them all).
 */
export function childEnv(name) {
  const miniflare = VARIANTS[name].runtime === "miniflare";
  const env = {
    ...process.env,
    CI: "true",
    NODE_OPTIONS: miniflare ? "--experimental-vm-modules --disable-warning=ExperimentalWarning" : "",
  };
  delete env.VITEST;
  delete env.JEST_WORKER_ID;
  return env;
}

function node(name, args, cwd, { timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd, env: childEnv(name), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ?? code, output, ms: performance.now() - start });
    });
  });
}

/**
 * Runs the suite once with a JSON report and checks it: every one of its tests (testsOf) passed. Returns
 * `{ ok, passed, failed, error }` (error: the first failure or the runner's output).
 */
export async function verify(name, dir) {
  const variant = VARIANTS[name];
  const out = path.join(mkdtempSync(path.join(tmpdir(), "durabox-bench-suite-")), "report.json");
  const report = variant.runner === "jest" ? ["--json", `--outputFile=${out}`] : ["--reporter=json", `--outputFile=${out}`];
  const { code, output, ms } = await node(name, commandOf(name, report), dir);
  let results;
  try {
    results = JSON.parse(readFileSync(out, "utf8"));
  } catch {
    return { ok: false, passed: 0, failed: 0, error: tail(output), ms };
  } finally {
    rmSync(path.dirname(out), { recursive: true, force: true });
  }
  const tests = results.testResults.flatMap((file) => file.assertionResults);
  const failures = [
    ...tests.filter((t) => t.status !== "passed").map((t) => `${t.fullName ?? t.title}: ${(t.failureMessages ?? []).join("\n")}`),
    ...results.testResults.filter((f) => f.message).map((f) => `${path.relative(dir, f.name)}: ${f.message}`),
  ];
  const passed = tests.filter((t) => t.status === "passed").length;
  const ok = code === 0 && passed === testsOf(name) && failures.length === 0;
  return { ok, passed, failed: tests.length - passed, error: ok ? undefined : tail(failures[0] ?? output), ms };
}

function tail(text, lines = 30) {
  return text.trim().split("\n").slice(0, lines).join("\n");
}

/** Whether hyperfine is on PATH. */
export function hasHyperfine() {
  return hyperfineVersion() !== undefined;
}

/** hyperfine's version, or undefined when it is not on PATH. */
export function hyperfineVersion() {
  try {
    return execFileSync("hyperfine", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .trim()
      .split(" ")
      .pop();
  } catch {
    return undefined;
  }
}

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Wall time of the whole suite: hyperfine (1 warm-up run, then `runs`) if it is installed, else the same
 * with our own timer (a spawn of node, to its exit). Returns the tool and each run's milliseconds.
 */
export async function timeSuite(name, dir, { runs = 5 } = {}) {
  const args = commandOf(name);
  if (hasHyperfine()) {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "durabox-bench-hyperfine-")), "times.json");
    const command = `cd ${shellQuote(dir)} && ${[process.execPath, ...args].map(shellQuote).join(" ")} >/dev/null 2>&1`;
    execFileSync("hyperfine", ["--warmup", "1", "--runs", String(runs), "--style", "none", "--export-json", out, command], {
      env: childEnv(name),
      stdio: "ignore",
    });
    const { results } = JSON.parse(readFileSync(out, "utf8"));
    rmSync(path.dirname(out), { recursive: true, force: true });
    return { tool: "hyperfine", times: results[0].times.map((t) => t * 1000) };
  }
  await node(name, args, dir); // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const { code, output, ms } = await node(name, args, dir);
    if (code !== 0) throw new Error(`${name} failed:\n${tail(output)}`);
    times.push(ms);
  }
  return { tool: "timer", times };
}

// ---------------------------------------------------------------------------------------------------------
// Where a run's time goes, by the runners' own accounts.

const medianOf = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * One more run of the variant, for its runner's breakdown. Jest: each file's perfStats (a reporter),
 * medians over the files, in ms: environment load, setup files, the framework's own set-up (circus,
 * expect: setupFilesEnd to setupAfterEnvEnd), the test file itself (its imports and tests), the whole file.
 * Vitest: the sums over all files from its summary line (environment, setup, import, tests, transform).
 */
export async function breakdown(name, dir) {
  const variant = VARIANTS[name];
  if (variant.runner === "jest") {
    const folder = mkdtempSync(path.join(tmpdir(), "durabox-bench-perf-"));
    const out = path.join(folder, "perf.json");
    const reporter = path.join(path.dirname(fileURLToPath(import.meta.url)), "jest-perf-reporter.cjs");
    process.env.DURABOX_BENCH_PERF_OUT = out;
    try {
      const { code, output } = await node(name, commandOf(name, [`--reporters=${reporter}`]), dir);
      if (code !== 0 || !existsSync(out)) throw new Error(`${name}: no perfStats:\n${tail(output)}`);
      const files = JSON.parse(readFileSync(out, "utf8"));
      // Jest 29 reports only start and end (the file after its environment loaded).
      const med = (from, to) =>
        files.every((f) => typeof f[from] === "number" && typeof f[to] === "number")
          ? medianOf(files.map((f) => f[to] - f[from]))
          : undefined;
      return {
        environmentMs: med("loadTestEnvironmentStart", "loadTestEnvironmentEnd"),
        setupFilesMs: med("setupFilesStart", "setupFilesEnd"),
        frameworkMs: med("setupFilesEnd", "setupAfterEnvEnd"),
        testFileMs: med("setupAfterEnvEnd", "end"),
        fileMs: med("loadTestEnvironmentStart", "end") ?? med("start", "end"),
      };
    } finally {
      delete process.env.DURABOX_BENCH_PERF_OUT;
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const { code, output } = await node(name, commandOf(name, ["--reporter=default"]), dir);
  // e.g. "Duration  4.45s (transform 300ms, setup 283ms, import 410ms, tests 2.47s, environment 622ms)"
  const line = output
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    .split("\n")
    .find((l) => /^\s*Duration\s/.test(l));
  if (code !== 0 || line === undefined) throw new Error(`${name}: no Vitest summary:\n${tail(output)}`);
  const parts = {};
  for (const [, key, value, unit] of line.matchAll(/(\w+) ([\d.]+)(ms|s)\b/g)) parts[key] = Number(value) * (unit === "s" ? 1000 : 1);
  return {
    environmentMs: parts.environment,
    setupMs: parts.setup,
    importMs: parts.import ?? parts.collect,
    testsMs: parts.tests,
    transformMs: parts.transform,
  };
}
