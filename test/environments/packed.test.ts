import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cache, installOnce, nodeOfMajor, packedTarballs, root, withLock } from "../helpers/matrix.js";
import { runReported } from "../helpers/runner-report.js";
import { brokenLinks } from "../helpers/markdown-links.js";

/**
 * The packages as users get them: the three tarballs `npm run pack` writes,
 * installed into a fresh project beside one runner major, with nothing but
 * what a user would write in package.json (no `overrides`), and the
 * example suite run there. One project per supported runner major, under
 * .matrix/ (installed again only when a tarball or the manifest changes).
 */
interface Runner {
  readonly name: string;
  readonly example: "jest-counter" | "vitest-counter";
  readonly devDependencies: Record<string, string>;
  readonly packages: readonly string[];
  readonly major: string;
  readonly passed: number;
}

const JEST = ["durabox", "jest-environment-durabox"];
const VITEST = ["durabox", "vitest-environment-durabox"];
const RUNNERS: readonly Runner[] = [
  {
    name: "jest29",
    example: "jest-counter",
    // npm hoists a jest-environment-node of its choosing (30, when the environment's peer on it was required)
    // beside Jest 29's own: that layout, pinned, so the environment must find Jest 29's.
    devDependencies: { jest: "^29.7.0", "@jest/globals": "^29.7.0", "jest-environment-node": "^30.0.0" },
    packages: JEST,
    major: "29",
    passed: 16,
  },
  {
    name: "jest30",
    example: "jest-counter",
    devDependencies: { jest: "^30.0.0", "@jest/globals": "^30.0.0" },
    packages: JEST,
    major: "30",
    passed: 16,
  },
  { name: "vitest3", example: "vitest-counter", devDependencies: { vitest: "^3.2.0" }, packages: VITEST, major: "3", passed: 14 },
  { name: "vitest4", example: "vitest-counter", devDependencies: { vitest: "^4.0.0" }, packages: VITEST, major: "4", passed: 14 },
  { name: "vitest5", example: "vitest-counter", devDependencies: { vitest: "^5.0.0" }, packages: VITEST, major: "5", passed: 14 },
];
const runnerPackage = (runner: Runner): string => (runner.example === "jest-counter" ? "jest" : "vitest");

const packed = path.join(cache, "packed");
let tarballs: Record<string, string>;
const projects = new Map<string, string>();
const nodes = new Map<number, string>();

/** A fresh project for a runner: the example's files, and a package.json naming the runner and the tarballs. */
async function project(runner: Runner): Promise<string> {
  const dir = path.join(packed, runner.name);
  await withLock(dir, async () => {
    mkdirSync(dir, { recursive: true });
    const example = path.join(root, "examples", runner.example);
    for (const entry of readdirSync(example)) {
      if (entry === "node_modules" || entry === "package.json") continue;
      rmSync(path.join(dir, entry), { recursive: true, force: true });
      cpSync(path.join(example, entry), path.join(dir, entry), { recursive: true });
    }
    const { name, type, scripts } = JSON.parse(readFileSync(path.join(example, "package.json"), "utf8")) as Record<string, unknown>;
    const fromTarballs = Object.fromEntries(runner.packages.map((pkg) => [pkg, `file:${tarballs[pkg]}`]));
    writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({
        name,
        private: true,
        ...(type !== undefined && { type }),
        scripts,
        devDependencies: { ...runner.devDependencies, "@cloudflare/workers-types": "*", ...fromTarballs },
      }),
    );
    await installOnce(dir, Object.fromEntries(runner.packages.map((pkg) => [pkg, tarballs[pkg]!])));
  });
  return dir;
}

const manifestIn = (dir: string, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")) as Record<string, unknown>;

beforeAll(async () => {
  tarballs = await packedTarballs();
  // One install at a time: two at once thrash two cores and npm's cache.
  for (const runner of RUNNERS) projects.set(runner.name, await project(runner));
  for (const major of [22, 24, 26]) nodes.set(major, await nodeOfMajor(major));
}, 900_000);

describe("the packed packages", () => {
  it("carry what a consumer needs, and nothing of the repository's build", () => {
    const installed: [string, string][] = [
      ...JEST.map((name): [string, string] => [projects.get("jest30")!, name]),
      [projects.get("vitest4")!, "vitest-environment-durabox"],
    ];
    for (const [dir, name] of installed) {
      const manifest = manifestIn(dir, name);
      expect(manifest.scripts, name).toBeUndefined();
      expect(manifest.devDependencies, name).toBeUndefined();
      expect(manifest.workspaces, name).toBeUndefined();
      expect(manifest.engines, name).toEqual({ node: expect.stringContaining("^20.18.0") });
      for (const file of ["README.md", "LICENSE"]) expect(readdirSync(path.join(dir, "node_modules", name)), name).toContain(file);
    }
    for (const [dir, name] of installed.slice(1)) {
      expect((manifestIn(dir, name).dependencies as Record<string, string>).durabox, name).toMatch(/^\^\d+\.\d+\.\d+$/);
    }
  });

  it("ship the pages durabox's README links to, so its relative links resolve in the installed package", () => {
    const installed = path.join(projects.get("jest30")!, "node_modules", "durabox");
    const pages = ["README.md", "CONTRIBUTING.md", ...readdirSync(path.join(installed, "docs")).map((page) => `docs/${page}`)];
    expect(pages).toContain("docs/cli.md");
    expect(brokenLinks(installed, pages)).toEqual([]);
  });

  it.each(RUNNERS)(
    "$name: the example suite passes with the packages installed as a user installs them",
    async (runner) => {
      const dir = projects.get(runner.name)!;
      const tool = runnerPackage(runner);
      expect(manifestIn(dir, tool).version).toMatch(new RegExp(`^${runner.major}\\.`));
      // One durabox: the environment uses the project's, not a copy of its own.
      expect(() => readFileSync(path.join(dir, "node_modules", runner.packages[1]!, "node_modules", "durabox", "package.json"))).toThrow();
      const bin =
        tool === "jest" ? path.join(dir, "node_modules", "jest", "bin", "jest.js") : path.join(dir, "node_modules", "vitest", "vitest.mjs");
      const args = tool === "jest" ? ["--json"] : ["run", "--reporter=json"];
      // Vitest 5 needs Node 22 or later.
      const outcome = await runReported(bin, args, dir, runner.name === "vitest5" ? nodes.get(22) : undefined);
      expect(outcome.failed, outcome.output).toEqual([]);
      expect(outcome.passed).toHaveLength(runner.passed);
    },
    180_000,
  );

  it("Jest 29's environment extends Jest 29's jest-environment-node, whatever npm hoisted beside it", async () => {
    const dir = projects.get("jest29")!;
    // The environment module, loaded as the running Jest loads it: its base class comes from Jest 29's jest-runner.
    const script = [
      `require(${JSON.stringify(path.join(dir, "node_modules", "jest-runner", "build", "index.js"))});`,
      `const { TestEnvironment } = require(${JSON.stringify(path.join(dir, "node_modules", "jest-environment-durabox"))});`,
      "const base = Object.getPrototypeOf(TestEnvironment);",
      "const file = Object.keys(require.cache).find((f) => {",
      "  const loaded = require.cache[f].exports;",
      "  return /jest-environment-node[\\\\/]build[\\\\/]/.test(f) && (loaded.default ?? loaded.TestEnvironment) === base;",
      "});",
      "console.log(JSON.stringify({ extendsIt: file !== undefined, file }));",
    ].join("\n");
    const { extendsIt, file } = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8" })) as {
      extendsIt: boolean;
      file: string;
    };
    expect(extendsIt).toBe(true);
    const version = (JSON.parse(readFileSync(path.join(file.split(/[\\/]build[\\/]/)[0]!, "package.json"), "utf8")) as { version: string })
      .version;
    expect(version).toMatch(/^29\./);
  });
});

// Node 22 ran it above.
describe.each([24, 26])("Node %i", (major) => {
  it("runs the Vitest 5 example, installed from the tarballs", async () => {
    const node = nodes.get(major)!;
    expect(execFileSync(node, ["--version"], { encoding: "utf8" })).toMatch(new RegExp(`^v${major}\\.`));
    const dir = projects.get("vitest5")!;
    const outcome = await runReported(path.join(dir, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=json"], dir, node);
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(14);
  }, 120_000);
});
