import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { init } from "../../src/cli/init.js";
import { parseCommandLine } from "../../src/cli/args.js";
import { runReported } from "../helpers/runner-report.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");

/** A copy of a fixture project in a temporary folder. */
function copyFixture(name: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "durabox-init-")), name);
  cpSync(path.join(root, "fixtures", "init", name), dir, { recursive: true });
  return dir;
}

function runInit(dir: string, args: string[] = []): { code: number | null; output: string } {
  const result = spawnSync(process.execPath, [cli, "init", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * What the printed install command would install, linked instead: this
 * repository's durabox and environment package, and its runner.
 */
function link(dir: string, runner: "jest" | "vitest"): void {
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  symlinkSync(root, path.join(modules, "durabox"), "dir");
  symlinkSync(path.join(root, "environments", runner), path.join(modules, `${runner}-environment-durabox`), "dir");
  symlinkSync(path.join(root, "node_modules", runner), path.join(modules, runner), "dir");
}

async function runTests(dir: string, runner: "jest" | "vitest"): Promise<{ passed: string[]; failed: unknown[]; output: string }> {
  return runner === "jest"
    ? runReported(path.join(root, "node_modules", "jest", "bin", "jest.js"), ["--json"], dir)
    : runReported(path.join(root, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=json"], dir);
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
    const { code, output } = runInit(dir);
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

  it("with neither runner in package.json, --yes picks Vitest (JavaScript tests for a JavaScript worker), and the run passes", async () => {
    const dir = copyFixture("plain-project");
    const { code, output } = runInit(dir, ["--yes"]);
    expect(code, output).toBe(0);
    expect(output).toContain("durabox init: Vitest (--yes)");
    expect(output).toContain("wrote vitest.config.mjs");
    expect(output).toContain("wrote test/limiter.test.js");
    expect(output).toContain("npm install --save-dev vitest vitest-environment-durabox durabox\n  npx vitest run");
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
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("asks on a terminal which runner, when package.json names neither, and sets up the answer", () => {
    const dir = copyFixture("plain-project");
    const result = spawnSync("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} init`, "/dev/null"], {
      cwd: dir,
      input: "2\n",
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(result.stdout).toContain("package.json names neither Jest nor Vitest: which runner? 1) Vitest (Enter)  2) Jest:");
    expect(result.stdout).toContain("durabox init: Jest (asked)");
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
