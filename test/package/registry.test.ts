import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devDependencyRange } from "../../src/cli/init-project.js";
import { cache, installOnce, packedTarballs, root, withLock } from "../helpers/matrix.js";
import { LOCAL_ONLY, startRegistry, type LocalRegistry } from "../helpers/registry.js";
import { runReported } from "../helpers/runner-report.js";

/**
 * The release rehearsed as users install it: the three tarballs `npm run
 * pack` writes are published to a real registry (Verdaccio on loopback) and
 * installed from it with npm, pnpm and yarn (each from the npm registry)
 * into fresh projects for Jest and Vitest, whose suites then run. Under
 * .matrix/registry/ (the proxied packages, the package managers' stores and
 * the projects, each installed again only when a tarball or its manifest
 * changes). Opt-in, as it installs six projects: DURABOX_REHEARSAL=1 (or
 * `npm run rehearse`).
 */
const run = promisify(execFile);
const dir = path.join(cache, "registry");
const tools = path.join(dir, "tools");
const enabled = process.env.DURABOX_REHEARSAL === "1";

const MANAGERS = ["npm", "pnpm", "yarn"] as const;
type Manager = (typeof MANAGERS)[number];
const RUNNERS = {
  jest: { example: "jest-counter", devDependencies: { jest: "^30.0.0", "@jest/globals": "^30.0.0" }, passed: 16 },
  vitest: { example: "vitest-counter", devDependencies: { vitest: devDependencyRange("vitest") }, passed: 14 },
} as const;
type RunnerName = keyof typeof RUNNERS;
const CASES = MANAGERS.flatMap((manager) => (Object.keys(RUNNERS) as RunnerName[]).map((runner) => ({ manager, runner })));

let registry: LocalRegistry;
let tarballs: Record<string, string>;
let version: string;

/** The command installing a project's package.json from the registry, with each manager's store under .matrix/registry/. */
function installCommand(manager: Manager, url: string): [string, string[]] {
  switch (manager) {
    case "npm":
      return ["npm", ["install", `--registry=${url}`, "--no-audit", "--no-fund", "--loglevel=error"]];
    case "pnpm":
      return [
        process.execPath,
        [
          path.join(tools, "node_modules", "pnpm", "bin", "pnpm.cjs"),
          "install",
          `--registry=${url}`,
          `--store-dir=${path.join(dir, "pnpm-store")}`,
          "--no-frozen-lockfile",
          "--reporter=silent",
        ],
      ];
    case "yarn":
      return [
        process.execPath,
        [
          path.join(tools, "node_modules", "yarn", "bin", "yarn.js"),
          "install",
          `--registry=${url}`,
          `--cache-folder=${path.join(dir, "yarn-cache")}`,
          "--non-interactive",
          "--silent",
        ],
      ];
  }
}

/** A fresh project: the example's files and a package.json naming the runner and durabox's packages by version. */
async function project(manager: Manager, runner: RunnerName): Promise<string> {
  const project = path.join(dir, `${manager}-${runner}`);
  const { example, devDependencies } = RUNNERS[runner];
  await withLock(project, async () => {
    mkdirSync(project, { recursive: true });
    const source = path.join(root, "examples", example);
    for (const entry of readdirSync(source)) {
      if (entry === "node_modules" || entry === "package.json") continue;
      rmSync(path.join(project, entry), { recursive: true, force: true });
      cpSync(path.join(source, entry), path.join(project, entry), { recursive: true });
    }
    const { name, type, scripts } = JSON.parse(readFileSync(path.join(source, "package.json"), "utf8")) as Record<string, unknown>;
    const ours = { durabox: `^${version}`, [`${runner}-environment-durabox`]: `^${version}` };
    const manifest = {
      name,
      private: true,
      ...(type !== undefined && { type }),
      scripts,
      devDependencies: { ...devDependencies, "@cloudflare/workers-types": "*", ...ours },
    };
    writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
    writeFileSync(path.join(project, ".npmrc"), `registry=${registry.url}\n`);
    // Installed again only when the manifest or a tarball changed since (the stamp holds their hash).
    const hash = createHash("sha256").update(manager).update(JSON.stringify(manifest));
    for (const file of Object.values(tarballs)) hash.update(readFileSync(file));
    const digest = hash.digest("hex");
    const stamp = path.join(project, "node_modules", ".durabox-rehearsed");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
    // The lock files name the last run's registry port; the installed copies of ours are stale.
    for (const lock of ["package-lock.json", "pnpm-lock.yaml", "yarn.lock"]) rmSync(path.join(project, lock), { force: true });
    rmSync(path.join(project, "node_modules"), { recursive: true, force: true });
    const [command, args] = installCommand(manager, registry.url);
    try {
      await run(command, args, { cwd: project, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: "" } });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${manager} install in ${project} failed:\n${stdout ?? ""}${stderr ?? ""}`, { cause: error });
    }
    writeFileSync(stamp, digest);
  });
  return project;
}

/** The manifest the registry serves for one of ours, as a consumer's package manager reads it. */
async function served(name: string): Promise<Record<string, unknown>> {
  const document = (await (await fetch(`${registry.url}${name}`)).json()) as { versions: Record<string, Record<string, unknown>> };
  return document.versions[version]!;
}

const installedManifest = (project: string, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8")) as Record<string, unknown>;

const projects = new Map<string, string>();

describe.skipIf(!enabled)("the release, published to a registry and installed from it", () => {
  beforeAll(async () => {
    version = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
    tarballs = await packedTarballs();
    // pnpm and yarn as users get them: from the npm registry.
    await withLock(tools, async () => {
      mkdirSync(tools, { recursive: true });
      writeFileSync(
        path.join(tools, "package.json"),
        JSON.stringify({ private: true, dependencies: { pnpm: "^9.15.0", yarn: "^1.22.22" } }),
      );
      await installOnce(tools);
    });
    registry = await startRegistry(dir);
    for (const name of LOCAL_ONLY) {
      await run(
        "npm",
        ["publish", tarballs[name]!, `--registry=${registry.url}`, `--userconfig=${registry.userconfig}`, "--loglevel=error"],
        {
          cwd: dir,
        },
      );
    }
    // One install at a time: two cores.
    for (const { manager, runner } of CASES) projects.set(`${manager}-${runner}`, await project(manager, runner));
  }, 1_800_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it("serves manifests holding only what a consumer needs", async () => {
    for (const name of LOCAL_ONLY) {
      const manifest = await served(name);
      for (const field of ["scripts", "devDependencies", "workspaces", "overrides", "prepublishOnly"])
        expect(manifest[field], name).toBeUndefined();
      expect(manifest.engines, name).toEqual({ node: expect.stringContaining("^20.18.0") });
      expect((manifest.dist as { tarball: string }).tarball, name).toMatch(new RegExp(`^${registry.url}`));
    }
    // The environments' dependencies are the repository's (durabox by ^its version, and what their code imports).
    for (const [name, folder] of [
      ["jest-environment-durabox", "jest"],
      ["vitest-environment-durabox", "vitest"],
    ] as const) {
      const { dependencies } = JSON.parse(readFileSync(path.join(root, "environments", folder, "package.json"), "utf8")) as Record<
        string,
        unknown
      >;
      expect((await served(name)).dependencies, name).toEqual({ ...(dependencies as object), durabox: `^${version}` });
    }
  });

  it.each(CASES)(
    "$manager, $runner: durabox installed from the registry (one copy), and the example suite passes",
    async ({ manager, runner }) => {
      const project = projects.get(`${manager}-${runner}`)!;
      const environment = `${runner}-environment-durabox`;
      for (const name of ["durabox", environment]) expect(installedManifest(project, name).version, name).toBe(version);
      expect(installedManifest(project, "durabox").scripts).toBeUndefined();
      // The environment uses the project's durabox (pnpm: its one copy in the store's layout).
      const copies =
        manager === "pnpm"
          ? readdirSync(path.join(project, "node_modules", ".pnpm")).filter((entry) => entry.startsWith(`durabox@`))
          : [existsSync(path.join(project, "node_modules", environment, "node_modules", "durabox")) ? "nested" : "durabox"];
      expect(copies).toEqual([manager === "pnpm" ? `durabox@${version}` : "durabox"]);
      const bin =
        runner === "jest"
          ? path.join(project, "node_modules", "jest", "bin", "jest.js")
          : path.join(project, "node_modules", "vitest", "vitest.mjs");
      const outcome = await runReported(bin, runner === "jest" ? ["--json"] : ["run", "--reporter=json"], project);
      expect(outcome.failed, outcome.output).toEqual([]);
      expect(outcome.passed).toHaveLength(RUNNERS[runner].passed);
    },
    180_000,
  );
});
