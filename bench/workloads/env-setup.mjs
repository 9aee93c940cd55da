// 7b. A test environment's cost per test file, in-process: what Jest does for each file (construct the
// environment, setup(), teardown()) and what Vitest does (environment.setup(global, options), then the
// returned teardown), for a file that never touches a Durable Object and for one that sends one
// stub.fetch to a Counter. Jest's and Vitest's own node environments are the reference (no runtime).
//
// durabox's presets load the worker through the runner (their setup files call useModuleLoader): here
// Jest's is stood in for by the preset's transform (once per process, as Jest caches it) and a vm.Script
// per file in the file's context, as jest-runtime evaluates modules; Vitest's by a fresh ES module
// instance per file (a new import URL). Miniflare 2's environments load the worker themselves.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Script } from "node:vm";
import {
  DURABOX_SUITE_DIR,
  DURABOX_VITEST_SUITE_DIR,
  durabox,
  jestArguments,
  jestNodeEnvironment,
  miniflare,
  miniflareOptions,
  vitestNodeEnvironment,
} from "../lib/environments.mjs";
import { median } from "../lib/stats.mjs";

const WARMUP = 5;
const FILES = 40;
const RUNTIME = Symbol.for("durabox.testRuntime");

async function fetchOnce(env) {
  const ns = env.COUNTER;
  const response = await ns.get(ns.idFromName("a")).fetch("http://localhost/");
  const body = await response.text();
  if (body !== "1") throw new Error(`the first fetch of a new file returned ${JSON.stringify(body)}, expected "1"`);
}

/** Times `file()` FILES times after WARMUP untimed calls; the first call is also reported (cold). */
async function perFile(file) {
  const first = await timed(file);
  for (let i = 1; i < WARMUP; i++) await file();
  const times = [];
  for (let i = 0; i < FILES; i++) times.push(await timed(file));
  return { first, median: median(times), min: Math.min(...times) };
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** One Jest test file's environment: constructor, setup(), optionally one fetch, teardown(). */
function jestFile(Environment, args, { bindingsOf, beforeSetup } = {}) {
  return async () => {
    const environment = new Environment(...args());
    beforeSetup?.(environment);
    await environment.setup();
    if (bindingsOf) await fetchOnce(bindingsOf(environment.global));
    await environment.teardown();
  };
}

/** One Vitest test file's environment: setup(global, options), optionally one fetch, teardown(global). */
function vitestFile(environment, options, { bindingsOf, afterSetup, global = () => globalThis } = {}) {
  return async () => {
    const target = global();
    const { teardown } = await environment.setup(target, options);
    afterSetup?.(target);
    if (bindingsOf) await fetchOnce(bindingsOf(target));
    await teardown(target);
  };
}

/** Stands in for jest-environment-durabox's setup file: the worker through "Jest's require" (see the top). */
function jestModuleLoader() {
  const transform = createRequire(import.meta.url)(
    path.join(DURABOX_SUITE_DIR, "..", "node_modules", "jest-environment-durabox", "dist", "transform.cjs"),
  ).default;
  const compiled = new Map();
  return (environment) => {
    const context = environment.getVmContext();
    environment.global[RUNTIME].useModuleLoader((entry) => {
      let code = compiled.get(entry);
      if (code === undefined) compiled.set(entry, (code = transform.process(readFileSync(entry, "utf8"), entry).code));
      const module = { exports: {} };
      const wrapper = new Script(`(function (module, exports, require, __filename, __dirname) {${code}\n})`, { filename: entry });
      wrapper.runInContext(context).call(module.exports, module, module.exports, createRequire(entry), entry, path.dirname(entry));
      return module.exports;
    });
  };
}

/** Stands in for vitest-environment-durabox's setup file: a new module instance of the worker per file. */
function vitestModuleLoader() {
  let file = 0;
  return (global) => {
    file++;
    global[RUNTIME].useModuleLoader((entry) => import(`${pathToFileURL(entry).href}?file=${file}`));
  };
}

/** The variants, each run in a process of its own: name -> (runtime) -> a file's work, or undefined (not applicable). */
const VARIANTS = {
  jestIdle: (runtime) => jestFile(jestEnvironment(runtime), jestArgs(runtime)),
  jestUsed: (runtime) =>
    runtime === "durabox"
      ? jestFile(durabox.jestEnvironment(), jestArgs(runtime), { bindingsOf: (g) => g.env, beforeSetup: jestModuleLoader() })
      : jestFile(miniflare.jestEnvironment(), jestArgs(runtime), { bindingsOf: (g) => g.getMiniflareBindings() }),
  // Without the preset's setup file: durabox bundles and evaluates the worker itself.
  jestUsedOwnLoader: (runtime) =>
    runtime === "durabox" ? jestFile(durabox.jestEnvironment(), jestArgs(runtime), { bindingsOf: (g) => g.env }) : undefined,
  vitestIdle: async (runtime) =>
    runtime === "durabox"
      ? vitestFile(await durabox.vitestEnvironment(), { durabox: {} })
      : vitestFile(await miniflare.vitestEnvironment(), miniflareOptions(), { global: fresh }),
  vitestUsed: async (runtime) =>
    runtime === "durabox"
      ? vitestFile(await durabox.vitestEnvironment(), { durabox: {} }, { bindingsOf: (g) => g.env, afterSetup: vitestModuleLoader() })
      : vitestFile(await miniflare.vitestEnvironment(), miniflareOptions(), { global: fresh, bindingsOf: (g) => g.getMiniflareBindings() }),
  vitestUsedOwnLoader: async (runtime) =>
    runtime === "durabox" ? vitestFile(await durabox.vitestEnvironment(), { durabox: {} }, { bindingsOf: (g) => g.env }) : undefined,
  // References: the runners' own node environments (what a file costs with no runtime at all).
  jestNode: (runtime) => jestFile(jestNodeEnvironment(runtime), () => jestArguments(runtime, { rootDir: DURABOX_SUITE_DIR })),
  vitestNode: async (runtime) => vitestFile(await vitestNodeEnvironment(runtime), {}),
};

/** The environment's Jest class and constructor arguments for this runtime (durabox reads wrangler.toml). */
const jestEnvironment = (runtime) => (runtime === "durabox" ? durabox.jestEnvironment() : miniflare.jestEnvironment());
const jestArgs = (runtime) => () =>
  jestArguments(runtime, { rootDir: DURABOX_SUITE_DIR, testEnvironmentOptions: runtime === "durabox" ? {} : miniflareOptions() });
// vitest-environment-miniflare defines non-configurable crypto and navigator on the global it is given, so
// it cannot be set up twice on one global (Vitest gives every file a new worker): a new global per file.
const fresh = () => ({});

export const VARIANT_NAMES = Object.keys(VARIANTS);

const FETCHES = 1000;

/** µs per `await Promise.resolve()` and per stub.fetch on a Counter, in this process, now. */
async function promiseCost(stub) {
  for (let i = 0; i < 2000; i++) await Promise.resolve(i);
  const start = performance.now();
  for (let i = 0; i < 20_000; i++) await Promise.resolve(i);
  const promiseUs = ((performance.now() - start) / 20_000) * 1000;
  const fetchStart = performance.now();
  for (let i = 0; i < FETCHES; i++) await (await stub.fetch("http://localhost/")).text();
  return { promiseUs, fetchUs: ((performance.now() - fetchStart) / FETCHES) * 1000 };
}

/**
 * What running test files leaves behind in a Jest worker (which runs many files in turn): the cost of a
 * promise and of a stub.fetch in a file, before and after 100 files have set up and torn down their
 * environments, each having used a Counter.
 */
async function accumulation(runtime) {
  const Jest = jestEnvironment(runtime);
  const args = jestArgs(runtime);
  const loader = runtime === "durabox" ? jestModuleLoader() : undefined;
  const bindingsOf = runtime === "durabox" ? (g) => g.env : (g) => g.getMiniflareBindings();
  const measureIn = async () => {
    const environment = new Jest(...args());
    loader?.(environment);
    await environment.setup();
    const ns = bindingsOf(environment.global).COUNTER;
    const cost = await promiseCost(ns.get(ns.idFromName("probe")));
    await environment.teardown();
    return cost;
  };
  const before = await measureIn();
  const file = jestFile(Jest, args, { bindingsOf, beforeSetup: loader });
  for (let i = 0; i < 100; i++) await file();
  const after = await measureIn();
  return {
    promiseBeforeUs: before.promiseUs,
    promiseAfterUs: after.promiseUs,
    fetchBeforeUs: before.fetchUs,
    fetchAfterUs: after.fetchUs,
  };
}

export async function run(_Runtime, { runtime, variant }) {
  // Where Jest and Vitest run a project from: durabox finds the project's wrangler.toml there (the Counter
  // worker, src/counter.js); Miniflare 2 is given the same worker by absolute path.
  process.chdir(variant.startsWith("vitest") ? DURABOX_VITEST_SUITE_DIR : DURABOX_SUITE_DIR);
  if (variant === "accumulation") return accumulation(runtime);
  if (!(variant in VARIANTS)) throw new Error(`env-setup: unknown variant ${variant}`);
  const file = await VARIANTS[variant](runtime);
  if (file === undefined) return {};
  const r = await perFile(file);
  return { [`${variant}Ms`]: r.median, [`${variant}FirstMs`]: r.first };
}
