import { existsSync, readFileSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";

/** The test runners `durabox init` sets up. */
export const RUNNERS = ["vitest", "jest"] as const;
export type Runner = (typeof RUNNERS)[number];

/** What `durabox init` learns from the project's package.json and files. */
export interface ProjectFacts {
  readonly directory: string;
  /** The runners package.json depends on (dependencies or devDependencies), Vitest first. */
  readonly runners: readonly Runner[];
  /** The packages already in package.json: the install command leaves them out. */
  readonly packages: ReadonlySet<string>;
  /** `npm`, or `pnpm`/`yarn`/`bun` when their lock file is there. */
  readonly packageManager: "npm" | "pnpm" | "yarn" | "bun";
  /** Whether package.json says `"type": "module"` (a Jest config must then be .cjs to be CommonJS; it is .cjs anyway). */
  readonly esm: boolean;
  /** package.json has a `jest` key: Jest's config lives there. */
  readonly jestConfigInPackageJson: boolean;
}

const LOCK_FILES = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lockb", "bun"],
  ["bun.lock", "bun"],
] as const;

/** Reads the project's package.json; refuses a folder without one. */
export function readProject(directory: string): ProjectFacts {
  const file = path.join(directory, "package.json");
  if (!existsSync(file)) {
    throw new DuraboxError("ERR_OPTIONS", `durabox init runs in a Workers project's folder: there is no package.json in ${directory}.`);
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new DuraboxError("ERR_OPTIONS", `Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const packages = new Set<string>();
  for (const field of ["dependencies", "devDependencies"]) {
    const table = manifest[field];
    if (typeof table === "object" && table !== null) for (const name of Object.keys(table)) packages.add(name);
  }
  return {
    directory,
    runners: RUNNERS.filter((runner) => packages.has(runner)),
    packages,
    packageManager: LOCK_FILES.find(([lock]) => existsSync(path.join(directory, lock)))?.[1] ?? "npm",
    esm: manifest.type === "module",
    jestConfigInPackageJson: manifest.jest !== undefined,
  };
}

/** The command installing `packages` as dev dependencies with the project's package manager. */
export function installCommand(facts: ProjectFacts, packages: readonly string[]): string {
  const add = { npm: "npm install --save-dev", pnpm: "pnpm add --save-dev", yarn: "yarn add --dev", bun: "bun add --dev" }[
    facts.packageManager
  ];
  return `${add} ${packages.join(" ")}`;
}

/** The command running the tests once. */
export function runCommand(facts: ProjectFacts, runner: Runner): string {
  const exec = { npm: "npx", pnpm: "pnpm exec", yarn: "yarn", bun: "bunx" }[facts.packageManager];
  return runner === "vitest" ? `${exec} vitest run` : `${exec} jest`;
}

/** The command installing what package.json names. */
export function installAllCommand(facts: ProjectFacts): string {
  return { npm: "npm install", pnpm: "pnpm install", yarn: "yarn install", bun: "bun install" }[facts.packageManager];
}

/** durabox's version (the environments carry the same one). */
export function packageVersion(): string {
  // From dist/cli/main.js (the bundle) and from src/cli/ alike, the package's root is two folders up.
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** Node's version as [major, minor]. */
const nodeVersion = (): [number, number] => process.versions.node.split(".").map(Number) as [number, number];

/**
 * The range init asks for a runner it adds: its newest major this Node runs
 * (Vitest 5 needs Node 22.12 or later; before that, Vitest 4).
 */
export function devDependencyRange(runner: Runner): string {
  if (runner === "jest") return "^30.0.0";
  const [major, minor] = nodeVersion();
  return major > 22 || (major === 22 && minor >= 12) ? "^5.0.0" : "^4.0.0";
}
