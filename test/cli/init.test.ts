import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { init as initAny, type InitReport, type InitRequest } from "../../src/cli/init.js";
import { parseCommandLine } from "../../src/cli/args.js";
import { copyFixture as copyProject, hasScript, link, runInit, runInitOnTerminal, runTests } from "../helpers/init-projects.js";
import { nodeOfMajor } from "../helpers/matrix.js";

const copyFixture = (name: string): string => copyProject(`init/${name}`);

/** init in a project that has no other test setup to migrate: its report is a setup report. */
async function init(request: InitRequest): Promise<InitReport> {
  const report = await initAny(request);
  if (report.kind !== "setup") throw new Error(`expected a setup, got a migration from ${report.plan.from}`);
  return report;
}

describe("durabox init", () => {
  it("sets up Jest in a project whose package.json names Jest, and the first test run passes", async () => {
    const dir = copyFixture("jest-project");
    const { code, output } = runInit(dir);
    expect(code, output).toBe(0);
    expect(output).toContain("durabox init: Jest (package.json)");
    expect(output).toMatch(/wrote jest\.config\.cjs\n\s+wrote test\/counter\.test\.ts\n\s+wrote worker-configuration\.d\.ts/);
    // Jest is there already: only the packages it lacks.
    expect(output).toContain("npm install --save-dev jest-environment-durabox durabox\n  npx jest");
    expect(readFileSync(path.join(dir, "worker-configuration.d.ts"), "utf8")).toContain(
      'COUNTER: DurableObjectNamespace<import("./src/index").Counter>;',
    );
    link(dir, "jest");
    const outcome = await runTests(dir, "jest");
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(2);
  }, 120_000);

  it("sets up Vitest with a test per local binding (key-value and SQLite), and the first test run passes", async () => {
    const dir = copyFixture("vitest-project");
    // Node 24 has node:sqlite: the SQLite-backed class needs nothing more.
    const { code, output } = runInit(dir, [], await nodeOfMajor(24));
    expect(code, output).toBe(0);
    expect(output).toContain("durabox init: Vitest (package.json)");
    for (const file of ["vitest.config.ts", "test/rooms.test.ts", "test/user-sessions.test.ts", "worker-configuration.d.ts"]) {
      expect(output).toContain(`wrote ${file}`);
    }
    expect(output).toContain("npm install --save-dev vitest-environment-durabox\n  npx vitest run");
    expect(readFileSync(path.join(dir, "test", "user-sessions.test.ts"), "utf8")).toContain('import { UserSession } from "../src/worker";');
    link(dir, "vitest");
    const outcome = await runTests(dir, "vitest");
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(4);
  }, 120_000);

  it("on Node 20, names better-sqlite3@12 on the install line for a SQLite-backed class (Node 20 has no node:sqlite)", async () => {
    const { code, output } = runInit(copyFixture("vitest-project"), [], await nodeOfMajor(20));
    expect(code, output).toBe(0);
    expect(output).toContain("npm install --save-dev vitest-environment-durabox better-sqlite3@12\n  npx vitest run");
    // Without a SQLite-backed class, nothing more.
    const jest = runInit(copyFixture("jest-project"), [], await nodeOfMajor(20));
    expect(jest.output).toContain("npm install --save-dev jest-environment-durabox durabox\n  npx jest");
  }, 300_000);

  it("adds Vitest 5 where Node runs it (22.12 and later), else Vitest 4", async () => {
    expect(runInit(copyFixture("plain-project"), ["--yes"], await nodeOfMajor(24)).output).toContain(
      "npm install --save-dev vitest@5 vitest-environment-durabox durabox\n",
    );
    expect(runInit(copyFixture("plain-project"), ["--yes"], await nodeOfMajor(20)).output).toContain(
      "npm install --save-dev vitest@4 vitest-environment-durabox durabox\n",
    );
  }, 300_000);

  it("with neither runner in package.json, --yes picks Vitest (JavaScript tests for a JavaScript worker), and the run passes", async () => {
    const dir = copyFixture("plain-project");
    const { code, output } = runInit(dir, ["--yes"]);
    expect(code, output).toBe(0);
    expect(output).toContain("durabox init: Vitest (--yes)");
    expect(output).toContain("wrote vitest.config.mjs");
    expect(output).toContain("wrote test/limiter.test.js");
    expect(output).toMatch(/npm install --save-dev vitest@[45] vitest-environment-durabox durabox\n {2}npx vitest run/);
    expect(readFileSync(path.join(dir, "test", "limiter.test.js"), "utf8")).toContain('import { RateLimiter } from "../src/index.js";');
    link(dir, "vitest");
    const outcome = await runTests(dir, "vitest");
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(2);
  }, 120_000);

  it("with neither runner and no terminal to ask on, says which flags choose, and writes nothing", () => {
    const dir = copyFixture("plain-project");
    const { code, output } = runInit(dir);
    expect(code).toBe(1);
    expect(output).toContain(
      "package.json names neither Jest nor Vitest and there is no terminal to ask on: pass --runner vitest or --runner jest",
    );
    expect(readdirSync(dir).sort()).toEqual(["package.json", "src", "wrangler.toml"]);
  });

  // util-linux's `script` runs the command on a pseudo-terminal: init's stdin and stdout are TTYs there.
  it.skipIf(!hasScript)("asks on a terminal which runner, when package.json names neither, and sets up the answer", () => {
    const dir = copyFixture("plain-project");
    const stdout = runInitOnTerminal(dir, "2\n");
    expect(stdout).toContain("package.json names neither Jest nor Vitest: which runner? 1) Vitest (Enter)  2) Jest:");
    expect(stdout).toContain("durabox init: Jest (asked)");
    expect(existsSync(path.join(dir, "jest.config.cjs"))).toBe(true);
  });

  it("asks which runner when package.json names neither, and sets up the answer", async () => {
    const dir = copyFixture("plain-project");
    const questions: string[] = [];
    const report = await init({
      directory: dir,
      yes: false,
      ask: async (question, choices, preselected) => {
        questions.push(`${question} ${choices.join("/")} [${preselected}]`);
        return "jest";
      },
    });
    expect(questions).toEqual(["package.json names neither Jest nor Vitest: which runner? vitest/jest [vitest]"]);
    expect(report.written).toEqual(["jest.config.cjs", "test/limiter.test.js", "worker-configuration.d.ts"]);
    expect(report.next).toEqual(["npm install --save-dev jest jest-environment-durabox durabox", "npx jest"]);
  });

  it("names an existing config once when it is the file init would write", () => {
    const dir = copyFixture("vitest-project");
    writeFileSync(path.join(dir, "vitest.config.ts"), "export default {};\n");
    const { output } = runInit(dir);
    expect(output).toContain(
      'skipped vitest.config.ts: vitest.config.ts exists: add `durabox()` from "vitest-environment-durabox/config" to its plugins',
    );
  });

  it("never overwrites: files that exist (or another config for the runner) are skipped, each named", () => {
    const dir = copyFixture("vitest-project");
    writeFileSync(path.join(dir, "vite.config.ts"), "export default {};\n");
    mkdirSync(path.join(dir, "test"));
    writeFileSync(path.join(dir, "test", "rooms.test.ts"), "// mine\n");
    const { code, output } = runInit(dir);
    expect(code, output).toBe(0);
    expect(output).toContain(
      'skipped vitest.config.ts: vite.config.ts exists: add `durabox()` from "vitest-environment-durabox/config" to its plugins',
    );
    expect(output).toContain("skipped test/rooms.test.ts: test/rooms.test.ts exists");
    expect(output).toContain("wrote test/user-sessions.test.ts");
    expect(readFileSync(path.join(dir, "test", "rooms.test.ts"), "utf8")).toBe("// mine\n");
    expect(existsSync(path.join(dir, "vitest.config.ts"))).toBe(false);
    // Run again: everything is there now.
    const again = runInit(dir);
    expect(again.output).not.toContain("wrote");
    expect(again.output).toContain("skipped worker-configuration.d.ts: worker-configuration.d.ts exists: `durabox types` rewrites it");
  });

  it("writes no test for a binding to another worker's class, and says why", async () => {
    const dir = copyFixture("vitest-project");
    const config = path.join(dir, "wrangler.jsonc");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        '"bindings": [',
        '"bindings": [{ "name": "BILLING", "class_name": "Billing", "script_name": "billing" }, ',
      ),
    );
    const report = await init({ directory: dir, yes: true });
    expect(report.written).toEqual(["vitest.config.ts", "test/rooms.test.ts", "test/user-sessions.test.ts", "worker-configuration.d.ts"]);
    expect(report.skipped).toEqual([
      {
        file: "a test for BILLING",
        reason: 'its class Billing is in worker "billing"; give the tests that worker too (the `workers` option)',
      },
    ]);
  });

  it("parses its flags, and refuses a runner it does not set up or its flags on another command", () => {
    expect(parseCommandLine(["init", "-y", "--runner", "jest"])).toEqual({ command: "init", yes: true, runner: "jest", config: undefined });
    expect(() => parseCommandLine(["init", "--runner", "mocha"])).toThrow('--runner must be vitest or jest, got "mocha".');
    expect(() => parseCommandLine(["worker.mjs", "--yes"])).toThrow("--yes belongs to `durabox init`.");
  });

  it("refuses a folder without package.json or without a wrangler config, naming what is missing", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "durabox-init-"));
    expect(runInit(empty).output).toContain("there is no package.json in");
    writeFileSync(path.join(empty, "package.json"), "{}");
    const { code, output } = runInit(empty, ["--yes"]);
    expect(code).toBe(1);
    expect(output).toContain("durabox init needs the worker's wrangler config (wrangler.toml, .json or .jsonc)");
  });
});
