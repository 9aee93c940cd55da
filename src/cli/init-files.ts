import * as path from "../base/path.js";
import type { WranglerWorker } from "../config/wrangler.js";
import type { ProjectFacts, Runner } from "./init-project.js";

/** A file `durabox init` would write, relative to the project, or the reason it leaves one out. */
export interface PlannedFile {
  readonly file: string;
  readonly text: string;
  /** Existing files that already do this file's job (another runner config): then it is not written. */
  readonly supersededBy?: readonly string[];
  /** What to do instead when it is not written. */
  readonly otherwise?: string;
}

export const JEST_CONFIGS = [
  "jest.config.js",
  "jest.config.cjs",
  "jest.config.mjs",
  "jest.config.ts",
  "jest.config.cts",
  "jest.config.json",
];
export const VITEST_CONFIGS = ["vitest.config", "vite.config"].flatMap((base) =>
  ["ts", "mts", "cts", "js", "mjs", "cjs"].map((ext) => `${base}.${ext}`),
);

/** Whether the project writes TypeScript: its entry is TypeScript. */
export function isTypeScript(config: WranglerWorker): boolean {
  return config.scriptPath !== undefined && /\.(c|m)?tsx?$/.test(config.scriptPath);
}

export function runnerConfig(runner: Runner, facts: ProjectFacts, typescript: boolean): PlannedFile {
  if (runner === "jest") {
    return {
      file: "jest.config.cjs",
      text: [
        "// The durabox preset: the Durable Objects test environment, TypeScript and ES modules compiled by esbuild,",
        "// and `cloudflare:workers` resolved to durabox's. Written by `durabox init`.",
        'module.exports = { preset: "jest-environment-durabox" };',
        "",
      ].join("\n"),
      supersededBy: facts.jestConfigInPackageJson ? [...JEST_CONFIGS, "package.json"] : JEST_CONFIGS,
      otherwise: 'set `preset: "jest-environment-durabox"` in it',
    };
  }
  return {
    file: typescript ? "vitest.config.ts" : "vitest.config.mjs",
    text: [
      'import { defineConfig } from "vitest/config";',
      'import { durabox } from "vitest-environment-durabox/config";',
      "",
      "// The Durable Objects test environment for every test file. Written by `durabox init`.",
      "export default defineConfig({",
      "  plugins: [durabox()],",
      "});",
      "",
    ].join("\n"),
    supersededBy: VITEST_CONFIGS,
    otherwise: 'add `durabox()` from "vitest-environment-durabox/config" to its plugins',
  };
}

/** The import specifier of the worker's entry from the test folder (TypeScript without extension; JavaScript with it). */
function entryImport(config: WranglerWorker, testDir: string, typescript: boolean): string {
  const relative = path.relative(testDir, config.scriptPath!).split(path.sep).join("/");
  const specifier = typescript ? relative.replace(/\.(c|m)?tsx?$/, "") : relative;
  return specifier.startsWith(".") ? specifier : `./${specifier}`;
}

/** A first test for one Durable Object binding: the class is constructed, and each test starts from empty storage. */
export function bindingTest(
  runner: Runner,
  config: WranglerWorker,
  directory: string,
  binding: string,
  className: string,
  typescript: boolean,
): PlannedFile {
  const file = `test/${binding.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.test.${typescript ? "ts" : "js"}`;
  const from = entryImport(config, path.join(directory, "test"), typescript);
  const lines = [
    ...(runner === "vitest" ? ['import { describe, expect, it } from "vitest";'] : []),
    'import { env, getDurableObjectStorage, runInDurableObject } from "durabox/testing";',
    `import { ${className} } from ${JSON.stringify(from)};`,
    "",
    `// A first test for the ${binding} binding, written by \`durabox init\`. Each test starts from empty storage.`,
    `describe(${JSON.stringify(`${binding} (${className})`)}, () => {`,
    `  it("constructs a ${className} for a name, whose storage keeps what it writes", async () => {`,
    `    const stub = env.${binding}.getByName("first");`,
    "    const constructed = await runInDurableObject(stub, async (instance, state) => {",
    '      await state.storage.put("written", true);',
    `      return instance instanceof ${className};`,
    "    });",
    "    expect(constructed).toBe(true);",
    `    expect(await getDurableObjectStorage(env.${binding}.idFromName("first")).get("written")).toBe(true);`,
    "  });",
    "",
    '  it("starts the next test from empty storage", async () => {',
    `    const storage = getDurableObjectStorage(env.${binding}.idFromName("first"));`,
    "    expect((await storage.list()).size).toBe(0);",
    "  });",
    "});",
    "",
  ];
  return { file, text: lines.join("\n") };
}
