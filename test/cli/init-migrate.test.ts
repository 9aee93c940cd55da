import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { init } from "../../src/cli/init.js";
import { rewriteCloudflareConfig } from "../../src/cli/migrate-cloudflare-config.js";
import { copyFixture, hasScript, link, root, runInit, runInitOnTerminal, runTests } from "../helpers/init-projects.js";
import { nodeOfMajor } from "../helpers/matrix.js";

/**
 * `durabox init` in projects that test with @cloudflare/vitest-plugin, the
 * pool (0.x) or Miniflare 2 (fixtures/migrate/): the diff shown, the changes
 * applied with --yes, the test files untouched, and the suite passing on the
 * real runner afterwards. The projects run one after another.
 */
const read = (dir: string, file: string): string => readFileSync(path.join(dir, file), "utf8");
const manifest = (dir: string): { devDependencies: Record<string, string>; scripts?: Record<string, string> } =>
  JSON.parse(read(dir, "package.json"));
const testFiles = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(path.join(dir, "test"), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.(test\.[jt]s|d\.ts)$/.test(file))
      .map((file) => [file, read(dir, path.join("test", file))]),
  );

/** Migrates a copy of the fixture with --yes (and `args`), checks the test files are as they were, and returns it. */
function migrated(fixture: string, args: string[] = []): { dir: string; output: string } {
  const dir = copyFixture(`migrate/${fixture}`);
  const before = testFiles(dir);
  const { code, output } = runInit(dir, ["--yes", ...args]);
  expect(code, output).toBe(0);
  expect(testFiles(dir)).toEqual(before);
  return { dir, output };
}

async function expectPasses(dir: string, runner: "jest" | "vitest", tests: number): Promise<void> {
  link(dir, runner);
  const outcome = await runTests(dir, runner);
  expect(outcome.failed, outcome.output).toEqual([]);
  expect(outcome.passed).toHaveLength(tests);
}

describe("durabox init in a project on another Workers test setup", () => {
  it("shows the diff and changes nothing without --yes and a terminal, saying how to apply it", () => {
    const dir = copyFixture("migrate/plugin-project");
    const files = ["package.json", "vitest.config.ts", "tsconfig.json"].map((file) => read(dir, file));
    const { code, output, stdout } = runInit(dir);
    expect(code).toBe(1);
    expect(stdout).toContain("durabox init: vitest.config.ts tests with @cloudflare/vitest-plugin; the changes for durabox (Vitest):");
    expect(stdout).toContain(
      [
        "--- a/vitest.config.ts",
        "+++ b/vitest.config.ts",
        "@@ -1,9 +1,9 @@",
        '-import { cloudflareTest } from "@cloudflare/vitest-plugin";',
        '+import { durabox } from "vitest-environment-durabox/config";',
        ' import { defineConfig } from "vitest/config";',
      ].join("\n"),
    );
    expect(stdout).toContain('-    "@cloudflare/vitest-plugin": "^1.5.0",\n');
    expect(output).toContain("durabox init: nothing changed. To apply these changes, run: npx durabox init --yes");
    expect(["package.json", "vitest.config.ts", "tsconfig.json"].map((file) => read(dir, file))).toEqual(files);
  });

  it.skipIf(!hasScript)("asks on a terminal, after the diff, and applies the changes on yes (only)", () => {
    const dir = copyFixture("migrate/plugin-project");
    const original = read(dir, "vitest.config.ts");
    expect(runInitOnTerminal(dir, "n\n")).toContain("Apply these changes? [y/N]");
    expect(read(dir, "vitest.config.ts")).toBe(original);
    const stdout = runInitOnTerminal(dir, "y\n");
    expect(stdout).toMatch(/\+\+\+ b\/vitest\.config\.ts[\s\S]*Apply these changes\? \[y\/N\][\s\S]*changed vitest\.config\.ts/);
    expect(read(dir, "vitest.config.ts")).toContain("durabox({");
  });

  it("@cloudflare/vitest-plugin: cloudflareTest(...) becomes durabox(...), packages and types swapped, and the suite passes", async () => {
    const { dir, output } = migrated("plugin-project");
    expect(output).toMatch(
      /changed package\.json\n\s+changed vitest\.config\.ts\n\s+changed tsconfig\.json\nTest files are unchanged\. Next:\n\s+npm install\n\s+npx vitest run/,
    );
    expect(read(dir, "vitest.config.ts")).toBe(
      [
        'import { durabox } from "vitest-environment-durabox/config";',
        'import { defineConfig } from "vitest/config";',
        "",
        "export default defineConfig({",
        "  plugins: [",
        "    durabox({",
        '      wrangler: { configPath: "./wrangler.jsonc" },',
        "      // A binding only the tests have.",
        '      miniflare: { bindings: { MODE: "test" } },',
        "    }),",
        "  ],",
        "});",
        "",
      ].join("\n"),
    );
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    expect(manifest(dir).devDependencies).toEqual({
      "@cloudflare/workers-types": "^5.20261117.1",
      durabox: `^${version}`,
      typescript: "^5.9.3",
      vitest: "^5.0.0",
      "vitest-environment-durabox": `^${version}`,
      wrangler: "^4.50.0",
    });
    expect(read(dir, "tsconfig.json")).toContain('"types": ["@cloudflare/workers-types", "durabox/types/cloudflare-test"]');
    await expectPasses(dir, "vitest", 2);
  }, 120_000);

  it("the pool (0.x): test.poolOptions.workers moves into durabox(...), and the suite passes", async () => {
    const { dir } = migrated("pool-project");
    expect(read(dir, "vitest.config.ts")).toBe(
      [
        'import { defineConfig } from "vitest/config";',
        'import { durabox } from "vitest-environment-durabox/config";',
        "",
        "export default defineConfig({",
        "  plugins: [durabox({",
        "    singleWorker: true,",
        "    isolatedStorage: true,",
        '    wrangler: { configPath: "./wrangler.toml" },',
        '    miniflare: { bindings: { SUFFIX: "!" } },',
        "  })],",
        "  test: {",
        "    globals: true,",
        "  },",
        "});",
        "",
      ].join("\n"),
    );
    expect(read(dir, "test/tsconfig.json")).toContain('"durabox/types/cloudflare-test", "vitest/globals"');
    expect(manifest(dir).devDependencies).not.toHaveProperty("@cloudflare/vitest-pool-workers");
    await expectPasses(dir, "vitest", 3);
  }, 120_000);

  it("the pool with --runner jest: a jest.config.cjs with the preset and the same options, and the suite passes under Jest", async () => {
    const { dir, output } = migrated("pool-project", ["--runner", "jest"]);
    expect(output).toMatch(/wrote jest\.config\.cjs\n\s+removed vitest\.config\.ts/);
    expect(read(dir, "jest.config.cjs")).toContain(
      [
        '  preset: "jest-environment-durabox",',
        "  testEnvironmentOptions: {",
        "    singleWorker: true,",
        "    isolatedStorage: true,",
        '    wrangler: { configPath: "./wrangler.toml" },',
        '    miniflare: { bindings: { SUFFIX: "!" } },',
        "  },",
        "};",
      ].join("\n"),
    );
    expect(readdirSync(dir)).not.toContain("vitest.config.ts");
    expect(manifest(dir).scripts).toEqual({ test: "jest" });
    expect(manifest(dir).devDependencies).toMatchObject({ jest: "^30.0.0", "jest-environment-durabox": expect.any(String) });
    await expectPasses(dir, "jest", 3);
  }, 120_000);

  it("jest-environment-miniflare: the environment renamed, Miniflare 2's options renamed or dropped, and the suite passes", async () => {
    const { dir, output } = migrated("miniflare-jest");
    expect(output).toContain("note: renamed the option wranglerConfigEnv to wranglerEnvironment");
    expect(output).toContain(
      "note: dropped the option buildCommand: durabox bundles the worker itself (esbuild), so no build command runs",
    );
    expect(read(dir, "jest.config.js")).toBe(
      [
        "// As jest-environment-miniflare's documentation sets it up.",
        "module.exports = {",
        '  testEnvironment: "durabox",',
        "  testEnvironmentOptions: {",
        "    modules: true,",
        '    scriptPath: "src/index.mjs",',
        '    durableObjects: { COUNTER: "Counter" },',
        '    wranglerEnvironment: "test",',
        "  },",
        "};",
        "",
      ].join("\n"),
    );
    expect(Object.keys(manifest(dir).devDependencies)).toEqual(["durabox", "jest", "jest-environment-durabox"]);
    await expectPasses(dir, "jest", 3);
  }, 120_000);

  it("vitest-environment-miniflare: the environment renamed, a Vitest older than 3 raised, and the suite passes", async () => {
    const { dir, output } = migrated("miniflare-vitest");
    expect(read(dir, "vitest.config.ts")).toContain('    environment: "durabox",');
    expect(read(dir, "vitest.config.ts")).toContain('      kvNamespaces: ["CACHE"],\n    },');
    expect(output).toContain("note: dropped the option watch");
    expect(output).toMatch(/note: vitest \^0\.34\.6 is older than durabox supports: package\.json asks for \^[45]\.0\.0/);
    await expectPasses(dir, "vitest", 2);
  }, 120_000);

  it("Miniflare 2 options in package.json's jest key are rewritten there", async () => {
    const dir = copyFixture("migrate/miniflare-jest");
    const pkg = JSON.parse(read(dir, "package.json")) as Record<string, unknown>;
    pkg.jest = { testEnvironment: "miniflare", testEnvironmentOptions: { wranglerConfigEnv: "test", port: 8787, modules: true } };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    writeFileSync(path.join(dir, "jest.config.js"), "");
    const report = await init({ directory: dir, yes: true });
    expect(report.kind === "migration" && report.plan.notes).toEqual([
      "renamed the option wranglerConfigEnv to wranglerEnvironment",
      "dropped the option port: tests call the worker in-process, with no server",
    ]);
    expect(JSON.parse(read(dir, "package.json")).jest).toEqual({
      testEnvironment: "durabox",
      testEnvironmentOptions: { wranglerEnvironment: "test", modules: true },
    });
  });

  it("adds better-sqlite3 for a SQLite-backed class on Node 20 (no node:sqlite), not on Node 24", async () => {
    for (const [major, expected] of [
      [20, true],
      [24, false],
    ] as const) {
      const dir = copyFixture("migrate/pool-project");
      expect(runInit(dir, ["--yes"], await nodeOfMajor(major)).code).toBe(0);
      expect("better-sqlite3" in manifest(dir).devDependencies, `Node ${major}`).toBe(expected);
    }
  }, 300_000);

  it("rewrites the pool's async config form, keeping readD1Migrations (from durabox) and existing plugins", () => {
    const before = [
      'import { defineWorkersConfig, readD1Migrations } from "@cloudflare/vitest-pool-workers/config";',
      'import path from "node:path";',
      "",
      "export default defineWorkersConfig(async () => {",
      '  const migrations = await readD1Migrations(path.join(__dirname, "migrations"));',
      "  return {",
      "    plugins: [other()],",
      "    test: {",
      '      setupFiles: ["./test/apply-migrations.ts"],',
      '      pool: "@cloudflare/vitest-pool-workers",',
      "      poolOptions: {",
      "        workers: {",
      "          miniflare: { bindings: { TEST_MIGRATIONS: migrations } }, // kept",
      "        },",
      "      },",
      "    },",
      "  };",
      "});",
      "",
    ].join("\n");
    expect(rewriteCloudflareConfig("vitest.config.ts", before)).toBe(
      [
        'import { defineConfig } from "vitest/config";',
        'import { readD1Migrations } from "durabox";',
        'import { durabox } from "vitest-environment-durabox/config";',
        'import path from "node:path";',
        "",
        "export default defineConfig(async () => {",
        '  const migrations = await readD1Migrations(path.join(__dirname, "migrations"));',
        "  return {",
        "    plugins: [durabox({",
        "      miniflare: { bindings: { TEST_MIGRATIONS: migrations } }, // kept",
        "    }), other()],",
        "    test: {",
        '      setupFiles: ["./test/apply-migrations.ts"],',
        "    },",
        "  };",
        "});",
        "",
      ].join("\n"),
    );
  });

  it("refuses what it cannot rewrite, naming it and where the manual steps are", () => {
    const config = (workers: string): string =>
      `import { defineWorkersConfig } from "@cloudflare/vitest-pool-workers/config";\nexport default defineWorkersConfig({ test: { poolOptions: { workers: ${workers} } } });\n`;
    expect(() => rewriteCloudflareConfig("vitest.config.ts", config("async () => ({ singleWorker: true })"))).toThrow(
      "durabox init cannot rewrite vitest.config.ts: its poolOptions.workers is a function; durabox() takes the options themselves (call it with what the function returns). Rewrite it by hand as docs/migrating.md shows.",
    );
    expect(() =>
      rewriteCloudflareConfig("vitest.config.ts", 'import { cloudflareTest, somethingNew } from "@cloudflare/vitest-plugin";\n'),
    ).toThrow('it imports somethingNew from "@cloudflare/vitest-plugin", which has no durabox counterpart');
    // A Miniflare 2 suite keeps its runner: --runner cannot switch it.
    const dir = copyFixture("migrate/miniflare-jest");
    expect(runInit(dir, ["--yes", "--runner", "vitest"]).output).toContain(
      "jest.config.js uses jest-environment-miniflare, which moves to durabox's Jest environment; --runner vitest would change runners too. Leave out --runner.",
    );
  });
});
