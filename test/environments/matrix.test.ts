import { execFileSync, execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { runReported } from "../helpers/runner-report.js";

/**
 * The other supported majors: Jest 29, Vitest 3 and Vitest 5 (Jest 30 and
 * Vitest 4 run in runners.test.ts), and Node 22 and 24 beside the Node running
 * this suite. Each runner gets a project of its own under .matrix/
 * (git-ignored), with durabox and the environment packages installed from
 * `npm pack` tarballs, as a user installs them, and runs the example suites
 * unchanged. The other Nodes come from the npm registry's official builds
 * (node-<platform>-<arch>, which ship the binary inside the package).
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
// Outside node_modules: Jest and Vitest skip test files under node_modules.
const cache = path.join(root, ".matrix");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function pack(dir: string): string {
  const output = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", cache], { cwd: dir, encoding: "utf8" });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  return path.join(cache, filename);
}

const npmInstall = (cwd: string): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(
      npm,
      ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
      { cwd, maxBuffer: 64 << 20 },
      (error, _stdout, stderr) => (error ? reject(new Error(`npm install in ${cwd} failed: ${stderr}`)) : resolve()),
    );
  });

async function project(
  name: string,
  example: string,
  dependencies: Record<string, string>,
  tarballs: Record<string, string>,
): Promise<string> {
  const dir = path.join(cache, name);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(path.join(root, "examples", example))) {
    if (entry === "node_modules" || entry === "package.json") continue;
    rmSync(path.join(dir, entry), { recursive: true, force: true });
    cpSync(path.join(root, "examples", example, entry), path.join(dir, entry), { recursive: true });
  }
  const pkg = JSON.parse(readFileSync(path.join(root, "examples", example, "package.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      ...pkg,
      devDependencies: { ...dependencies, ...Object.fromEntries(Object.entries(tarballs).map(([n, t]) => [n, `file:${t}`])) },
      // The environment packages name durabox by its place in this repository: point it at the tarball.
      overrides: { durabox: `file:${tarballs.durabox}` },
    }),
  );
  // Tarballs keep their name from build to build: drop what the last run installed from them.
  rmSync(path.join(dir, "package-lock.json"), { force: true });
  for (const name of Object.keys(tarballs)) rmSync(path.join(dir, "node_modules", name), { recursive: true, force: true });
  await npmInstall(dir);
  return dir;
}

/** A Node binary of this major: the one running the suite, or the registry's official build, installed under .matrix/. */
async function nodeOfMajor(major: number): Promise<string> {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const name = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const dir = path.join(cache, `node${major}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, dependencies: { [name]: `^${major}.0.0` } }));
  await npmInstall(dir);
  return path.join(dir, "node_modules", name, "bin", process.platform === "win32" ? "node.exe" : "node");
}

let jest29: string;
let vitest3: string;
let vitest5: string;
const nodes = new Map<number, string>();

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  const tarballs = {
    durabox: pack(root),
    "jest-environment-durabox": pack(path.join(root, "environments", "jest")),
    "vitest-environment-durabox": pack(path.join(root, "environments", "vitest")),
  };
  const forVitest = { durabox: tarballs.durabox, "vitest-environment-durabox": tarballs["vitest-environment-durabox"] };
  const installingNodes = Promise.all([22, 24].map(async (major) => nodes.set(major, await nodeOfMajor(major))));
  [jest29, vitest3, vitest5] = await Promise.all([
    project(
      "jest29",
      "jest-counter",
      { jest: "^29.7.0", "jest-environment-node": "^29.7.0", "@jest/globals": "^29.7.0", "@cloudflare/workers-types": "*" },
      {
        durabox: tarballs.durabox,
        "jest-environment-durabox": tarballs["jest-environment-durabox"],
      },
    ),
    project("vitest3", "vitest-counter", { vitest: "^3.2.0", "@cloudflare/workers-types": "*" }, forVitest),
    project("vitest5", "vitest-counter", { vitest: "^5.0.0", "@cloudflare/workers-types": "*" }, forVitest),
  ]);
  await installingNodes;
}, 300_000);

const versionOf = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

describe("supported majors", () => {
  it("Jest 29 runs the Jest example unchanged", async () => {
    expect(versionOf(jest29, "jest")).toMatch(/^29\./);
    const outcome = await runReported(path.join(jest29, "node_modules", "jest", "bin", "jest.js"), ["--json"], jest29);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(16);
  }, 120_000);

  it("Vitest 3 runs the Vitest example unchanged", async () => {
    expect(versionOf(vitest3, "vitest")).toMatch(/^3\./);
    const outcome = await runReported(path.join(vitest3, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=json"], vitest3);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  }, 120_000);
});

describe.each([22, 24])("Node %i", (major) => {
  it("is the Node the runs below use", () => {
    expect(execFileSync(nodes.get(major)!, ["--version"], { encoding: "utf8" })).toMatch(new RegExp(`^v${major}\\.`));
  });

  it("runs the SQLite storage tests on node:sqlite (the driver this Node brings)", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "vitest", "vitest.mjs"),
      ["run", "--reporter=json", "test/sql", "test/objects/sqlite-objects.test.ts"],
      root,
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed.length).toBeGreaterThan(80);
  }, 180_000);

  it("runs the Jest example on Jest 30", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "jest", "bin", "jest.js"),
      ["--json"],
      path.join(root, "examples", "jest-counter"),
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(16);
  }, 120_000);

  it("runs the Vitest example on Vitest 4", async () => {
    const outcome = await runReported(
      path.join(root, "node_modules", "vitest", "vitest.mjs"),
      ["run", "--reporter=json"],
      path.join(root, "examples", "vitest-counter"),
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  }, 120_000);

  // node:sqlite instead of better-sqlite3 from Node 22.16 on.
  it("runs the SQLite examples on Jest 30 and Vitest 4", async () => {
    const [jestOutcome, vitestOutcome] = [
      await runReported(
        path.join(root, "node_modules", "jest", "bin", "jest.js"),
        ["--json"],
        path.join(root, "examples", "jest-sqlite"),
        nodes.get(major),
      ),
      await runReported(
        path.join(root, "node_modules", "vitest", "vitest.mjs"),
        ["run", "--reporter=json"],
        path.join(root, "examples", "vitest-sqlite"),
        nodes.get(major),
      ),
    ];
    expect(jestOutcome.failed).toEqual([]);
    expect(jestOutcome.passed).toHaveLength(14);
    expect(vitestOutcome.failed).toEqual([]);
    expect(vitestOutcome.passed).toHaveLength(14);
  }, 240_000);

  // Vitest 5 needs Node 22 or later.
  it("runs the Vitest example on Vitest 5", async () => {
    expect(versionOf(vitest5, "vitest")).toMatch(/^5\./);
    const outcome = await runReported(
      path.join(vitest5, "node_modules", "vitest", "vitest.mjs"),
      ["run", "--reporter=json"],
      vitest5,
      nodes.get(major),
    );
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  }, 120_000);
});
