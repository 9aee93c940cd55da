// Per-file cost (issue 22): the CPU time of each step of a Jest test file's life on durabox, timed with
// process.cpuUsage() (steadier than a profile on a loaded machine): jest-environment-node's real environment, the
// runtime evaluated in its vm context through durabox/testing-loader (as jest-environment-durabox does), the
// TestRuntime and globals, the runtime's construction and worker, the 12 tests of workload 8d's files (scopes
// apart), dispose and teardown. `--shared` evaluates the runtime once for the process instead: the difference in
// the tests is durabox's code running cold in every new context (V8 keeps bytecode across contexts, not feedback).
//
//   npm run build && node bench/jest-file-phases.mjs [--files 40] [--shared]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ADDS, ITEM_TESTS, ITEMS_SOURCE, SQL_WRANGLER } from "./lib/sql-suite.mjs";
import { median } from "./lib/stats.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(ROOT, "package.json"));
const { TestEnvironment } = require("jest-environment-node");
const { loadTestingRuntime } = require(path.join(ROOT, "dist", "testing-loader.cjs"));
const { values: args } = parseArgs({ options: { files: { type: "string", default: "40" }, shared: { type: "boolean", default: false } } });

// The worker as an ES module of its own project (the runtime's module loader imports it).
const project = mkdtempSync(path.join(os.tmpdir(), "durabox-jest-phases-"));
mkdirSync(path.join(project, "src"));
writeFileSync(path.join(project, "package.json"), JSON.stringify({ private: true, type: "module" }));
writeFileSync(path.join(project, "src", "items.js"), ITEMS_SOURCE);
writeFileSync(path.join(project, "wrangler.toml"), SQL_WRANGLER);

const config = { projectConfig: { testEnvironmentOptions: {}, globals: {}, fakeTimers: {} }, globalConfig: {} };
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const phases = new Map();
let shared;

async function file(index) {
  const times = [];
  let at = cpuMs();
  const step = (name) => {
    const now = cpuMs();
    times.push([name, now - at]);
    at = now;
  };
  const environment = new TestEnvironment(config, {});
  const context = environment.getVmContext();
  step("jest-environment-node's constructor");
  const testing = args.shared ? (shared ??= loadTestingRuntime()) : loadTestingRuntime(context);
  step("the runtime evaluated in the file's context");
  const runtime = new testing.TestRuntime({}, { cwd: project, vmContext: context, moduleLoader: (entry) => import(entry) });
  testing.registerTestRuntime(environment.global, runtime);
  testing.installGlobals(environment.global, {});
  testing.installWebSocketGlobals(environment.global, { lazy: true });
  testing.installWorkersGlobals(environment.global, { lazy: true });
  step("TestRuntime and the globals");
  const namespace = runtime.env.ITEMS;
  await runtime.durabox.ready;
  step("the runtime's construction and the worker loaded");
  let scopes = 0;
  for (let t = 0; t < ITEM_TESTS + 2; t++) {
    let start = cpuMs();
    runtime.enterScope();
    scopes += cpuMs() - start;
    const id = namespace.idFromName(`file-${index}-items-${t}`);
    const stub = namespace.get(id);
    for (let i = 1; i <= ADDS; i++) await (await stub.fetch(`http://localhost/add?name=item-${i}&qty=${i}`)).text();
    runtime.getDurableObjectStorage(id).sql.exec("SELECT count(*) AS n, sum(qty) AS total FROM items").one();
    start = cpuMs();
    await runtime.exitScope();
    scopes += cpuMs() - start;
  }
  step("the tests (scopes included)");
  times.push(["… of which the scopes (per-test rollback)", scopes]);
  await runtime.dispose();
  await environment.teardown();
  step("dispose and teardown");
  for (const [name, ms] of times) phases.set(name, [...(phases.get(name) ?? []), ms]);
}

const files = Number(args.files);
for (let index = 0; index < files; index++) await file(index);
rmSync(project, { recursive: true, force: true });
console.log(
  `Jest file phases on durabox, ${process.version}, ${files} files, the runtime ${args.shared ? "evaluated once" : "evaluated per file"}; ` +
    `CPU ms per file, medians over files 3-${files} (the first two pay one-off loads):`,
);
let total = 0;
for (const [name, all] of phases) {
  const ms = median(all.slice(2));
  if (!name.startsWith("…")) total += ms;
  console.log(`${ms.toFixed(2).padStart(8)}  ${name}`);
}
console.log(`${total.toFixed(2).padStart(8)}  per file`);
