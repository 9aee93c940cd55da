// The test environments, loaded in-process by the workloads that time them (7b, 7c): durabox's from the
// copies bench/run.mjs staged in bench/.suites/node_modules (see suites.mjs), Miniflare 2's from
// bench/.peers/jest and bench/.peers/vitest (the same runner majors as durabox's suites use).
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PEER_SETS, SUITES_DIR } from "./suites.mjs";

const ROOT = path.join(SUITES_DIR, "..", "..");
const STAGED = path.join(SUITES_DIR, "node_modules");
const stagedRequire = createRequire(path.join(STAGED, "package.json"));
const rootRequire = createRequire(path.join(ROOT, "package.json"));
const jestPeerRequire = createRequire(path.join(PEER_SETS.jest.dir, "package.json"));
const vitestPeerRequire = createRequire(path.join(PEER_SETS.vitest.dir, "package.json"));

/** The folder of the generated durabox Jest project: its wrangler.toml describes the Counter worker. */
export const DURABOX_SUITE_DIR = path.join(SUITES_DIR, "durabox-jest");
/** The generated durabox Vitest project (its src/counter.js is an ES module: "type": "module"). */
export const DURABOX_VITEST_SUITE_DIR = path.join(SUITES_DIR, "durabox-vitest");
/** The Miniflare 2 options the Miniflare suites use, with the worker path absolute. */
export const miniflareOptions = () => ({
  modules: true,
  scriptPath: path.join(SUITES_DIR, "miniflare-jest", "src", "counter.js"),
  durableObjects: { COUNTER: "Counter" },
});

export const durabox = {
  jestEnvironment: () => stagedRequire("jest-environment-durabox").default,
  vitestEnvironment: async () => (await import(pathToFileURL(stagedRequire.resolve("vitest-environment-durabox")).href)).default,
};

export const miniflare = {
  jestEnvironment: () => jestPeerRequire("jest-environment-miniflare").default,
  vitestEnvironment: async () => (await import(pathToFileURL(vitestPeerRequire.resolve("vitest-environment-miniflare")).href)).default,
  sharedTestEnvironment: () => jestPeerRequire("@miniflare/shared-test-environment"),
  runnerVm: () => jestPeerRequire("@miniflare/runner-vm"),
  queues: () => jestPeerRequire("@miniflare/queues"),
};

/** Jest's own node environment (what both build on, or copy): the repository's for durabox, the peer's for Miniflare 2. */
export const jestNodeEnvironment = (runtime) => {
  const required = (runtime === "miniflare" ? jestPeerRequire : rootRequire)("jest-environment-node");
  return required.default ?? required.TestEnvironment ?? required;
};

/** Vitest's own node environment. */
export const vitestNodeEnvironment = async (runtime) => {
  const resolve = runtime === "miniflare" ? vitestPeerRequire : rootRequire;
  // "vitest/runtime" since Vitest 4.1 ("vitest/environments" before, deprecated since).
  let entry;
  try {
    entry = resolve.resolve("vitest/runtime");
  } catch {
    entry = resolve.resolve("vitest/environments");
  }
  const { builtinEnvironments } = await import(pathToFileURL(entry).href);
  return builtinEnvironments.node;
};

/**
 * The two arguments Jest passes an environment's constructor, for one test file: the slice of the project
 * config an environment reads (jest-config's defaults for the rest), and the file's context.
 */
export function jestArguments(runtime, { rootDir, testEnvironmentOptions = {}, testPath }) {
  const resolve = runtime === "miniflare" ? jestPeerRequire : rootRequire;
  let defaults = {};
  try {
    defaults = createRequire(resolve.resolve("jest")).call(null, "jest-config").defaults;
  } catch {
    // jest-config not reachable: the fields below are all an environment reads.
  }
  const projectConfig = {
    ...defaults,
    rootDir,
    cwd: rootDir,
    testEnvironmentOptions,
    globals: {},
    fakeTimers: {},
    setupFiles: [],
    id: "bench",
  };
  return [
    { projectConfig, globalConfig: { rootDir } },
    { console, docblockPragmas: {}, testPath: testPath ?? path.join(rootDir, "test", "file-01.test.js") },
  ];
}
