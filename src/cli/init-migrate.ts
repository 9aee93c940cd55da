// `durabox init` in a project that already tests Workers another way: with
// @cloudflare/vitest-plugin (1.x), @cloudflare/vitest-pool-workers (0.x) or
// Miniflare 2's Jest or Vitest environment. It plans the changes (the config
// rewritten, the devDependencies swapped, tsconfig's types renamed) without
// touching a test file: their `cloudflare:test` imports and `getMiniflare*`
// globals work under durabox as written.
import { existsSync, readFileSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { cloudflareOptionsText, cloudflareShape, reindent, rewriteCloudflareConfig } from "./migrate-cloudflare-config.js";
import {
  isMiniflareEnvironment,
  rewriteMiniflareConfig,
  rewriteMiniflareJestKey,
  usesMiniflareEnvironment,
} from "./migrate-miniflare-config.js";
import { JEST_CONFIGS, VITEST_CONFIGS } from "./init-files.js";
import { devDependencyRange, type ProjectFacts, type Runner } from "./init-project.js";

/** One file's change: `before` undefined makes it, `after` undefined removes it. */
export interface FileChange {
  readonly file: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
}

export interface MigrationPlan {
  /** The package the project tested with. */
  readonly from: string;
  /** The config that says so. */
  readonly config: string;
  readonly runner: Runner;
  readonly changes: readonly FileChange[];
  /** What the rewrite changed besides names, or left for the user. */
  readonly notes: readonly string[];
}

/** The packages a migrated project no longer needs. */
const REPLACED_PACKAGES = [
  "@cloudflare/vitest-plugin",
  "@cloudflare/vitest-pool-workers",
  "jest-environment-miniflare",
  "vitest-environment-miniflare",
];

/** `compilerOptions.types` entries of the old packages, and durabox's. */
const TYPES_RENAMED: Readonly<Record<string, string>> = {
  "@cloudflare/vitest-plugin/types": "durabox/types/cloudflare-test",
  "@cloudflare/vitest-plugin": "durabox/types/cloudflare-test",
  "@cloudflare/vitest-pool-workers": "durabox/types/cloudflare-test",
  "jest-environment-miniflare/globals": "jest-environment-durabox/globals",
  "vitest-environment-miniflare/globals": "vitest-environment-durabox/globals",
};
const TSCONFIGS = ["tsconfig.json", "test/tsconfig.json", "tests/tsconfig.json", "src/tsconfig.json"];

const VITEST_WORKSPACES = ["vitest.workspace", "vitest.projects"].flatMap((base) =>
  ["ts", "mts", "js", "mjs"].map((ext) => `${base}.${ext}`),
);
const JS_JEST_CONFIGS = JEST_CONFIGS.filter((file) => !file.endsWith(".json"));

const read = (directory: string, file: string): string | undefined => {
  const full = path.join(directory, file);
  return existsSync(full) ? readFileSync(full, "utf8") : undefined;
};

/** The lowest runner major durabox supports. */
const SUPPORTED_FROM: Readonly<Record<Runner, number>> = { jest: 29, vitest: 3 };
const majorOf = (range: string): number | undefined => {
  const match = /^\s*(?:[\^~>=v]*\s*)?(\d+)/.exec(range);
  return match === null ? undefined : Number(match[1]);
};

interface Detected {
  readonly from: string;
  readonly config: string;
  readonly text: string | undefined;
  readonly runner: Runner;
  readonly kind: "cloudflare" | "miniflare";
}

function detect(directory: string, manifest: Record<string, unknown>): Detected | undefined {
  for (const file of [...VITEST_CONFIGS, ...VITEST_WORKSPACES]) {
    const text = read(directory, file);
    if (text === undefined) continue;
    const shape = cloudflareShape(text);
    if (shape !== undefined) {
      const from = shape === "plugin" ? "@cloudflare/vitest-plugin" : "@cloudflare/vitest-pool-workers";
      return { from, config: file, text, runner: "vitest", kind: "cloudflare" };
    }
    if (usesMiniflareEnvironment(text, "vitest"))
      return { from: "vitest-environment-miniflare", config: file, text, runner: "vitest", kind: "miniflare" };
  }
  for (const file of JS_JEST_CONFIGS) {
    const text = read(directory, file);
    if (text !== undefined && usesMiniflareEnvironment(text, "jest")) {
      return { from: "jest-environment-miniflare", config: file, text, runner: "jest", kind: "miniflare" };
    }
  }
  const jest = manifest.jest;
  if (typeof jest === "object" && jest !== null && isMiniflareEnvironment("jest", (jest as Record<string, unknown>).testEnvironment)) {
    return { from: "jest-environment-miniflare", config: "package.json", text: undefined, runner: "jest", kind: "miniflare" };
  }
  return undefined;
}

/** The Jest config for a Cloudflare Vitest config's options. */
function jestConfigFor(detected: Detected): string {
  const options = cloudflareOptionsText(detected.config, detected.text!);
  return [
    `// Written by \`durabox init\` from ${detected.config} (${detected.from}): the durabox preset, with the options`,
    "// that config gave its integration (durabox takes them as written).",
    '/** @type {import("jest").Config} */',
    "module.exports = {",
    '  preset: "jest-environment-durabox",',
    `  testEnvironmentOptions: ${reindent(options, "  ")},`,
    "};",
    "",
  ].join("\n");
}

/** package.json with the old packages swapped for durabox's (and a supported runner), in its own indentation. */
function manifestChange(
  text: string,
  manifest: Record<string, unknown>,
  runner: Runner,
  add: Readonly<Record<string, string>>,
  notes: string[],
  edit: (manifest: Record<string, unknown>) => void,
): FileChange {
  const next = structuredClone(manifest);
  for (const field of ["dependencies", "devDependencies"]) {
    const table = next[field] as Record<string, string> | undefined;
    if (table !== undefined) for (const name of REPLACED_PACKAGES) delete table[name];
  }
  const dev = { ...((next.devDependencies as Record<string, string> | undefined) ?? {}) };
  const dependencies = (next.dependencies as Record<string, string> | undefined) ?? {};
  const current = dev[runner] ?? dependencies[runner];
  const major = current === undefined ? undefined : majorOf(current);
  if (current === undefined || (major !== undefined && major < SUPPORTED_FROM[runner])) {
    if (current !== undefined)
      notes.push(`${runner} ${current} is older than durabox supports: package.json asks for ${devDependencyRange(runner)}`);
    delete dependencies[runner];
    dev[runner] = devDependencyRange(runner);
  }
  for (const [name, range] of Object.entries(add)) if (dev[name] === undefined && dependencies[name] === undefined) dev[name] = range;
  next.devDependencies = Object.fromEntries(Object.entries(dev).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  edit(next);
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? "  ";
  return { file: "package.json", before: text, after: `${JSON.stringify(next, null, indent)}\n` };
}

/** tsconfig files whose `types` name the old packages, with durabox's. */
function tsconfigChanges(directory: string): FileChange[] {
  const changes: FileChange[] = [];
  for (const file of TSCONFIGS) {
    const before = read(directory, file);
    if (before === undefined) continue;
    const after = before.replace(/"([^"\n]+)"/g, (whole, name: string) =>
      TYPES_RENAMED[name] === undefined ? whole : `"${TYPES_RENAMED[name]}"`,
    );
    if (after !== before) changes.push({ file, before, after });
  }
  return changes;
}

/**
 * The plan for a project that tests Workers with Cloudflare's integration or
 * Miniflare 2, or undefined when it does neither. `runner` (--runner) moves a
 * Cloudflare Vitest suite to Jest; `add` are the packages to add (name -> range).
 */
export function planMigration(
  facts: ProjectFacts,
  runnerFlag: Runner | undefined,
  add: (runner: Runner) => Readonly<Record<string, string>>,
): MigrationPlan | undefined {
  const { directory } = facts;
  const manifestText = readFileSync(path.join(directory, "package.json"), "utf8");
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  const detected = detect(directory, manifest);
  if (detected === undefined) return undefined;
  const runner = runnerFlag ?? detected.runner;
  if (detected.kind === "miniflare" && runner !== detected.runner) {
    throw new DuraboxError(
      "ERR_OPTIONS",
      `durabox init: ${detected.config} uses ${detected.from}, which moves to durabox's ${detected.runner === "jest" ? "Jest" : "Vitest"} environment; --runner ${runner} would change runners too. Leave out --runner.`,
    );
  }
  const notes: string[] = [];
  const changes: FileChange[] = [];
  let edit: (manifest: Record<string, unknown>) => void = () => {};
  if (detected.kind === "cloudflare" && runner === "vitest") {
    changes.push({ file: detected.config, before: detected.text, after: rewriteCloudflareConfig(detected.config, detected.text!) });
  } else if (detected.kind === "cloudflare") {
    if (existsSync(path.join(directory, "jest.config.cjs"))) {
      throw new DuraboxError(
        "ERR_OPTIONS",
        "durabox init --runner jest would write jest.config.cjs, and it exists: move its settings or remove it first.",
      );
    }
    changes.push({ file: "jest.config.cjs", before: undefined, after: jestConfigFor(detected) });
    // It imports the package this removes.
    changes.push({ file: detected.config, before: detected.text, after: undefined });
    notes.push(`test files that import from "vitest" need Jest's names (@jest/globals, \`jest\` for \`vi\`)`);
    edit = (next) => {
      const scripts = next.scripts as Record<string, string> | undefined;
      if (scripts === undefined) return;
      for (const [name, script] of Object.entries(scripts)) scripts[name] = script.replace(/\bvitest(?: run)?\b/g, "jest");
    };
  } else if (detected.text !== undefined) {
    const rewritten = rewriteMiniflareConfig(detected.text, runner);
    changes.push({ file: detected.config, before: detected.text, after: rewritten.text });
    notes.push(...rewritten.notes);
  } else {
    edit = (next) => notes.push(...rewriteMiniflareJestKey(next.jest as Record<string, unknown>));
  }
  changes.unshift(manifestChange(manifestText, manifest, runner, add(runner), notes, edit));
  changes.push(...tsconfigChanges(directory));
  return { from: detected.from, config: detected.config, runner, changes, notes };
}
