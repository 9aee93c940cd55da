import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported, type Outcome } from "../helpers/runner-report.js";

/**
 * Real Jest and real Vitest, as child processes under plain node, running
 * the example projects and fixtures against the built packages.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const jestBin = path.join(root, "node_modules", "jest", "bin", "jest.js");
const vitestBin = path.join(root, "node_modules", "vitest", "vitest.mjs");

function jest(project: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Outcome> {
  return runReported(jestBin, ["--json", ...extra], path.join(root, project), process.execPath, env);
}

function vitest(project: string, extra: string[] = [], cwd = path.join(root, project), env: Record<string, string> = {}): Promise<Outcome> {
  return runReported(vitestBin, ["run", "--reporter=json", ...extra], cwd, process.execPath, env);
}

/** Every failure message, and the runner's output (Vitest 4 reports an environment that fails to start outside any file). */
const messages = (outcome: Outcome): string => [...outcome.failed.map((failure) => failure.message), outcome.output].join("\n");

function coverageOf(summaryFile: string, source: string): { lines: number; covered: number } {
  const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, { lines: { total: number; covered: number } }>;
  const entry = summary[source];
  if (entry === undefined) throw new Error(`no coverage for ${source}: ${Object.keys(summary).join(", ")}`);
  return { lines: entry.lines.total, covered: entry.lines.covered };
}

// Each test runs a real runner as a child process: allow for a loaded machine.
describe("Jest (testEnvironment: durabox)", { timeout: 90_000 }, () => {
  it("runs examples/jest-counter with the preset: isolation, nested beforeAll, alarms, fields, mocks, instanceof, realm", async () => {
    const outcome = await jest("examples/jest-counter");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(16);
  });

  it("runs examples/jest-sqlite: SQL in and outside the object, rollback of rows and schema, alarms, eviction, ids, BLOBs of the test's realm", async () => {
    const outcome = await jest("examples/jest-sqlite");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("runs examples/jest-chat: WebSockets, hibernation, the auto-response, eviction options, a test's sockets closed when it ends", async () => {
    const outcome = await jest("examples/jest-chat");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(7);
  });

  it("counts the object's lines in V8 coverage", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-jest-coverage-"));
    const outcome = await jest("examples/jest-counter", [
      "--coverage",
      "--coverageProvider=v8",
      "--collectCoverageFrom=src/**",
      "--coverageReporters=json-summary",
      `--coverageDirectory=${dir}`,
    ]);
    expect(outcome.failed).toEqual([]);
    const counter = coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/jest-counter/src/index.ts"));
    expect(counter.covered / counter.lines).toBeGreaterThan(0.8);
    // Mocked in the test: its real lines never run.
    expect(coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/jest-counter/src/greeting.ts")).covered).toBe(0);
  });

  it("runs without the preset (durabox bundles the worker), values still of the test's realm, and refuses .concurrent clearly; fake timers drive alarms, setSystemTime alone fires none", async () => {
    const outcome = await jest("fixtures/jest-fallback");
    // store.test.js: 2 (and the refused concurrent test); fake-timers.test.js: 7.
    expect(outcome.passed).toHaveLength(9);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0]!.message).toContain("concurrent tests would share one Durable Objects runtime");
  });

  it("runs a suite written for Cloudflare's Vitest integration, vi changed to jest: with reset() in afterEach, and on durabox's rollback (Queues, Secrets Store, rate limits, Pages Functions included)", async () => {
    const outcome = await jest("fixtures/cloudflare-suite");
    expect(outcome.failed).toEqual([]);
    // workflow.test.ts: 4 (a workflow started from an object, on the fake clock, rolled back per test);
    // pending-call.test.ts: 2 (a call left pending when a test ends, canceled);
    // queues.test.ts: 5 (an object's sends consumed on the fake clock, retried, rolled back per test).
    expect(outcome.passed).toHaveLength(37);
  });

  it("gives test files KV (env, getKVNamespace) and caches, rolled back per test, expiring on Jest's fake clock", async () => {
    const outcome = await jest("fixtures/jest-bindings");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(3);
  });

  it("passes a suite written for jest-environment-miniflare after changing only testEnvironment", async () => {
    const outcome = await jest("fixtures/jest-miniflare-suite");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(4);
  });

  describe("testEnvironmentOptions, checked against the declared options", () => {
    const worker = { scriptPath: "worker.mjs", durableObjects: { BOX: "Box" } };
    const run = (options: object): Promise<Outcome> =>
      jest("fixtures/options-check", [], { DURABOX_FIXTURE_OPTIONS: JSON.stringify(options) });

    it("fails the test file naming an unknown option and the nearest known one", async () => {
      const outcome = await run({ scriptPath: "worker.mjs", durableObject: { BOX: "Box" } });
      expect(outcome.passed).toEqual([]);
      expect(messages(outcome)).toMatch(
        /Unknown option "durableObject" in testEnvironmentOptions\. Supported options: name, .*, isolation, durableObjectsPersistWrites, main, wrangler, miniflare, .*customExportConditions, globalsCleanup\. Did you mean "durableObjects"\?/,
      );
    });

    it("says plainly that a Miniflare option is not supported yet, instead of failing later on undefined", async () => {
      const outcome = await run({ ...worker, outboundService: "http://localhost/" });
      expect(outcome.passed).toEqual([]);
      expect(messages(outcome)).toContain(
        'Option "outboundService" in testEnvironmentOptions is Miniflare\'s option for an outbound fetch handler (answer outbound fetch with fetchMock from cloudflare:test instead), which durabox does not support yet.',
      );
    });

    it("passes jest-environment-node's own options on to it, and keeps durabox's", async () => {
      const outcome = await run({ ...worker, customExportConditions: ["node", "node-addons"] });
      expect(outcome.failed).toEqual([]);
      expect(outcome.passed).toHaveLength(2);
    });
  });
});

describe("Vitest (environment: durabox)", { timeout: 90_000 }, () => {
  it("runs examples/vitest-counter with the durabox() helper: isolation, nested beforeAll, alarms, fields, mocks, instanceof", async () => {
    const outcome = await vitest("examples/vitest-counter");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("runs examples/vitest-sqlite: SQL in and outside the object, rollback of rows and schema, alarms, eviction, ids, BLOBs", async () => {
    const outcome = await vitest("examples/vitest-sqlite");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("runs examples/vitest-chat: WebSockets, hibernation, the auto-response, eviction options, a test's sockets closed when it ends", async () => {
    const outcome = await vitest("examples/vitest-chat");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(7);
  });

  it("reads the project's wrangler.toml from Vitest's root when run from another directory (--root)", async () => {
    const outcome = await vitest("examples/vitest-counter", ["--root", "examples/vitest-counter"], root);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  });

  it("runs a suite written for Cloudflare's Vitest integration with only the plugin swapped: with reset() in afterEach, and on durabox's rollback (Queues, Secrets Store, rate limits, Pages Functions included)", async () => {
    const outcome = await vitest("fixtures/cloudflare-suite");
    expect(outcome.failed).toEqual([]);
    // workflow.test.ts: 4 (a workflow started from an object, on the fake clock, rolled back per test);
    // pending-call.test.ts: 2 (a call left pending when a test ends, canceled);
    // queues.test.ts: 5 (an object's sends consumed on the fake clock, retried, rolled back per test).
    expect(outcome.passed).toHaveLength(37);
  });

  it("runs a suite written for the pool, migrated as docs/migrating.md says: singleWorker, isolatedStorage: false, .dev.vars, setSystemTime + runDurableObjectAlarm", async () => {
    const outcome = await vitest("fixtures/plugin-migration");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(7);
  });

  it("counts the object's lines in V8 coverage", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-vitest-coverage-"));
    const outcome = await vitest("examples/vitest-counter", [
      "--coverage.enabled",
      "--coverage.provider=v8",
      "--coverage.include=src/**",
      "--coverage.reporter=json-summary",
      `--coverage.reportsDirectory=${dir}`,
    ]);
    expect(outcome.failed).toEqual([]);
    const counter = coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/vitest-counter/src/index.ts"));
    expect(counter.covered / counter.lines).toBeGreaterThan(0.8);
    expect(coverageOf(path.join(dir, "coverage-summary.json"), path.join(root, "examples/vitest-counter/src/greeting.ts")).covered).toBe(0);
  });

  it("runs without the helper, with unkeyed options and setupIsolatedStorage() (imported, or Miniflare 2's global); fake timers drive alarms, setSystemTime alone fires none", async () => {
    const outcome = await vitest("fixtures/vitest-plain");
    expect(outcome.failed).toEqual([]);
    // box.test.mjs 3, miniflare-style.test.mjs 2, fake-timers.test.mjs 6.
    expect(outcome.passed).toHaveLength(11);
  });

  it("gives test files KV (env, getKVNamespace) and caches, rolled back per test, expiring on Vitest's fake clock", async () => {
    const outcome = await vitest("fixtures/vitest-bindings");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(3);
  });

  it("runs files that share one environment (isolate: false, threads and forks) each on a fresh runtime, with an env of its own", async () => {
    for (const pool of ["threads", "forks"]) {
      const outcome = await vitest("fixtures/vitest-no-isolate", ["--no-isolate", `--pool=${pool}`, "--maxWorkers=1"]);
      expect(outcome.failed, pool).toEqual([]);
      // first, second, third: storage; library-a, library-b: a cache keyed by env (cloudflare:workers', cloudflare:test's, the global).
      expect(outcome.passed, pool).toHaveLength(5);
    }
  });

  it("takes the pool's singleWorker: the files one after another in one worker, each on a fresh runtime with its own env", async () => {
    // The fixture's setup file writes one line per test file: the process and thread that ran it.
    const workersOf = async (args: string[]): Promise<string[]> => {
      const log = path.join(mkdtempSync(path.join(tmpdir(), "durabox-workers-")), "log");
      const outcome = await vitest("fixtures/vitest-no-isolate", args, undefined, { DURABOX_WORKER_LOG: log });
      expect(outcome.failed).toEqual([]);
      expect(outcome.passed).toHaveLength(5);
      return readFileSync(log, "utf8").trim().split("\n");
    };
    const single = await workersOf(["--config", "single-worker.config.mjs"]);
    expect(single).toHaveLength(5);
    expect(new Set(single).size).toBe(1);
    // Without it, Vitest gives each file a worker of its own.
    expect(new Set(await workersOf([])).size).toBeGreaterThan(1);
  });

  it("loads nothing of durabox in a file that never uses it, none of Node's fetch for objects that answer only RPC, and scopes a runtime first used in a describe block as one used from the start", async () => {
    const outcome = await vitest("fixtures/vitest-lazy");
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(9);
  });

  it("refuses concurrent tests clearly under per-test isolation", async () => {
    const outcome = await vitest("fixtures/vitest-concurrent");
    expect(outcome.failed.map((f) => f.message).join("\n")).toContain("concurrent tests would share one Durable Objects runtime");
  });

  describe("options, checked against the declared options", () => {
    const worker = { scriptPath: "worker.mjs", durableObjects: { BOX: "Box" } };
    const dir = path.join(root, "fixtures/options-check");
    // The default reporter too: Vitest 4 reports an environment that fails to start outside the JSON report.
    const run = (config: object): Promise<Outcome> =>
      vitest("fixtures/options-check", ["--reporter=default"], dir, { DURABOX_FIXTURE_CONFIG: JSON.stringify(config) });

    it("refuses an unknown option in durabox({...}) when the config loads, naming the nearest", async () => {
      await expect(run({ helper: { ...worker, isolaton: "file" } })).rejects.toThrow(
        /Unknown option "isolaton" in durabox\(\{\.\.\.\}\)\. Supported options: .*\. Did you mean "isolation"\?/,
      );
    });

    it("accepts the pool's and the plugin's keys as written, with one line for each that means nothing here", async () => {
      const outcome = await run({
        helper: {
          ...worker,
          singleWorker: false,
          isolatedStorage: true,
          remoteBindings: false,
          experimental_mixedMode: false,
          additionalExports: {},
        },
      });
      expect(outcome.failed).toEqual([]);
      expect(outcome.passed).toHaveLength(1);
      const notices = outcome.output.split("\n").filter((line) => line.startsWith("durabox: option"));
      expect(notices).toEqual([
        'durabox: option "remoteBindings" is ignored: every binding is local in durabox, none reaches Cloudflare\'s account.',
        'durabox: option "experimental_mixedMode" is ignored: every binding is local in durabox, none reaches Cloudflare\'s account.',
        "durabox: option \"additionalExports\" is ignored: durabox's ctx.exports are the loaded module's own exports, re-exports included.",
      ]);
    });

    it("still refuses a key in no schema, naming the nearest", async () => {
      await expect(run({ helper: { ...worker, singleWorkers: true } })).rejects.toThrow(
        /Unknown option "singleWorkers" in durabox\(\{\.\.\.\}\)\. Supported options: .*\. Did you mean "singleWorker"\?/,
      );
    });

    it("fails the run naming an unknown option in environmentOptions.durabox", async () => {
      const outcome = await run({ environmentOptions: { durabox: { ...worker, queueProducer: { Q: "q" } }, jsdom: { url: "http://x/" } } });
      expect(outcome.passed).toEqual([]);
      expect(messages(outcome)).toMatch(
        /Unknown option "queueProducer" in environmentOptions\.durabox\. Supported options: .*\. Did you mean "queueProducers"\?/,
      );
    });

    it("refuses a durabox option beside environmentOptions.durabox, where it would be ignored", async () => {
      const outcome = await run({ environmentOptions: { durabox: worker, isolation: "file" } });
      expect(messages(outcome)).toContain('Option "isolation" is in environmentOptions, outside environmentOptions.durabox');
    });

    it("reads unkeyed options, leaving other environments' keys alone, and refuses a misspelt one", async () => {
      const passing = await run({ environmentOptions: { ...worker, jsdom: { url: "http://x/" }, happyDOM: {} } });
      expect(passing.failed).toEqual([]);
      expect(passing.passed).toHaveLength(1);
      const failing = await run({ environmentOptions: { ...worker, bindigns: { A: 1 } } });
      expect(failing.passed).toEqual([]);
      expect(messages(failing)).toMatch(
        /Unknown option "bindigns" in environmentOptions\. Supported options: .*\. Did you mean "bindings"\? If it holds another environment's options/,
      );
    });
  });
});
