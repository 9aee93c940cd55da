import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { findWranglerConfig, readWranglerConfig, type WranglerWorker } from "../config/wrangler.js";
import { bindingTest, isTypeScript, runnerConfig, type PlannedFile } from "./init-files.js";
import {
  devDependencyRange,
  installAllCommand,
  installCommand,
  packageVersion,
  readProject,
  runCommand,
  RUNNERS,
  type ProjectFacts,
  type Runner,
} from "./init-project.js";
import { planMigration, type MigrationPlan } from "./init-migrate.js";
import { unifiedDiff } from "./line-diff.js";
import { envDeclaration } from "./types.js";
import { loadSqliteDriver } from "../sql/load-driver.js";

export interface InitRequest {
  readonly directory: string;
  /** --yes: take what was detected (Vitest when package.json names neither or both) without asking. */
  readonly yes: boolean;
  /** --runner: the runner, whatever package.json says. */
  readonly runner?: Runner;
  /** --config: the wrangler config (else the one in the project's folder). */
  readonly config?: string;
  /** Asks which runner, on a terminal; absent where nobody can answer. */
  readonly ask?: (question: string, choices: readonly Runner[], preselected: Runner) => Promise<Runner>;
  /** Asks on a terminal whether to apply a migration's changes (after they are shown); absent where nobody can answer. */
  readonly confirm?: (plan: MigrationPlan, diff: string) => Promise<boolean>;
}

export interface InitReport {
  readonly kind: "setup";
  readonly runner: Runner;
  /** Why that runner: "package.json", "--runner", "--yes", "asked". */
  readonly chosenBy: string;
  readonly configFile: string;
  readonly written: readonly string[];
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** What to run next: the install (when something is missing), then the tests. */
  readonly next: readonly string[];
}

/** What init did in a project that tested with Cloudflare's integration or Miniflare 2. */
export interface MigrationReport {
  readonly kind: "migration";
  readonly runner: Runner;
  readonly plan: MigrationPlan;
  /** The changes as a unified diff, shown before they are applied. */
  readonly diff: string;
  /** False when they were shown but not applied: no --yes, and no yes on the terminal (or none to ask on). */
  readonly applied: boolean;
  readonly next: readonly string[];
}

export const RUNNER_NAMES: Record<Runner, string> = { vitest: "Vitest", jest: "Jest" };

async function chooseRunner(request: InitRequest, detected: readonly Runner[]): Promise<{ runner: Runner; chosenBy: string }> {
  if (request.runner !== undefined) return { runner: request.runner, chosenBy: "--runner" };
  if (detected.length === 1) return { runner: detected[0]!, chosenBy: "package.json" };
  const preselected = detected[0] ?? "vitest";
  if (request.yes) return { runner: preselected, chosenBy: "--yes" };
  if (request.ask !== undefined) {
    const question =
      detected.length === 0
        ? "package.json names neither Jest nor Vitest: which runner?"
        : "package.json names both Jest and Vitest: which runner?";
    return { runner: await request.ask(question, RUNNERS, preselected), chosenBy: "asked" };
  }
  throw new DuraboxError(
    "ERR_OPTIONS",
    `durabox init: package.json names ${detected.length === 0 ? "neither Jest nor Vitest" : "both Jest and Vitest"} and there is no terminal to ask on: pass --runner vitest or --runner jest (or --yes for ${RUNNER_NAMES[preselected]}).`,
  );
}

/**
 * Sets durabox up in an existing Workers project: the runner's config, a
 * first test per Durable Object binding of the wrangler config, and the
 * `Env` types (as `durabox types` writes them). Never overwrites a file: one
 * that exists is skipped and reported.
 */
export async function init(request: InitRequest): Promise<InitReport | MigrationReport> {
  const directory = path.resolve(request.directory);
  const facts = readProject(directory);
  const version = `^${packageVersion()}`;
  const migration = planMigration(facts, request.runner, (runner) => ({
    durabox: version,
    [environmentPackage(runner)]: version,
    ...(needsBetterSqlite3(facts.packages, migrationConfigs(facts.directory, request.config)) && {
      "better-sqlite3": BETTER_SQLITE3_RANGE,
    }),
  }));
  if (migration !== undefined) return migrate(request, facts, migration);
  const configFile = request.config !== undefined ? path.resolve(request.config) : findWranglerConfig(directory);
  if (configFile === undefined || !existsSync(configFile)) {
    throw new DuraboxError(
      "ERR_OPTIONS",
      `durabox init needs the worker's wrangler config (wrangler.toml, .json or .jsonc) in ${directory}${request.config === undefined ? "" : `; ${configFile} does not exist`}.`,
    );
  }
  const config = readWranglerConfig(configFile);
  const { runner, chosenBy } = await chooseRunner(request, facts.runners);
  const typescript = isTypeScript(config);

  const planned: PlannedFile[] = [runnerConfig(runner, facts, typescript)];
  const skipped: { file: string; reason: string }[] = [];
  for (const [binding, { className, scriptName }] of Object.entries(config.bindings.durableObject)) {
    if (scriptName !== undefined && scriptName !== config.name) {
      skipped.push({
        file: `a test for ${binding}`,
        reason: `its class ${className} is in worker "${scriptName}"; give the tests that worker too (the \`workers\` option)`,
      });
    } else if (config.scriptPath === undefined) {
      skipped.push({ file: `a test for ${binding}`, reason: "the config names no entry (main)" });
    } else {
      planned.push(bindingTest(runner, config, directory, binding, className, typescript));
    }
  }
  if (Object.keys(config.bindings.durableObject).length === 0) {
    skipped.push({ file: "tests", reason: `${path.basename(configFile)} binds no Durable Object` });
  }
  const typesFile = path.join(directory, "worker-configuration.d.ts");
  planned.push({ file: "worker-configuration.d.ts", text: envDeclaration(config, typesFile), otherwise: "`durabox types` rewrites it" });

  const written: string[] = [];
  for (const file of planned) {
    // Each once: the file itself is often among the configs that supersede it.
    const existing = [...new Set([file.file, ...(file.supersededBy ?? [])])].filter((name) => existsSync(path.join(directory, name)));
    if (existing.length > 0) {
      skipped.push({
        file: file.file,
        reason: `${existing.join(", ")} exists${file.otherwise === undefined ? "" : `: ${file.otherwise}`}`,
      });
      continue;
    }
    const target = path.join(directory, file.file);
    mkdirSync(path.dirname(target), { recursive: true });
    // "wx": never replace a file made since the check.
    writeFileSync(target, file.text, { flag: "wx" });
    written.push(file.file);
  }

  const missing = [runner, environmentPackage(runner), "durabox"]
    .filter((name) => !facts.packages.has(name))
    // A runner it adds: the major this Node runs (Vitest 5 needs Node 22.12).
    .map((name) => (name === "vitest" ? `vitest@${devDependencyRange("vitest").slice(1).split(".")[0]}` : name));
  if (needsBetterSqlite3(facts.packages, { wrangler: config }))
    missing.push(`better-sqlite3@${BETTER_SQLITE3_RANGE.slice(1).split(".")[0]}`);
  const next = [...(missing.length > 0 ? [installCommand(facts, missing)] : []), runCommand(facts, runner)];
  return { kind: "setup", runner, chosenBy, configFile, written, skipped, next };
}

const environmentPackage = (runner: Runner): string => (runner === "vitest" ? "vitest-environment-durabox" : "jest-environment-durabox");

/** better-sqlite3's last major for Node 20 (13 needs Node 22), which durabox's peer range names. */
const BETTER_SQLITE3_RANGE = "^12.0.0";

/** Whether this Node has a node:sqlite durabox can use (22.16+); else SQLite-backed classes need better-sqlite3. */
function nodeSqliteUsable(): boolean {
  try {
    loadSqliteDriver("node:sqlite");
    return true;
  } catch {
    return false;
  }
}

/** What says whether the project has a SQLite-backed class: its wrangler config, and configs naming `useSQLite: true`. */
interface SqliteEvidence {
  readonly wrangler?: WranglerWorker | undefined;
  readonly texts?: readonly string[];
}

function hasSqliteClass({ wrangler, texts = [] }: SqliteEvidence): boolean {
  const declared = [...(wrangler?.classes.values() ?? [])].some((entry) => entry.state === "live" && entry.storage === "sqlite");
  return declared || texts.some((text) => /\buseSQLite\s*:\s*true\b/.test(text));
}

/** better-sqlite3 is to be installed: a SQLite-backed class, no usable node:sqlite, and the project does not have it. */
function needsBetterSqlite3(packages: ReadonlySet<string>, evidence: SqliteEvidence): boolean {
  return !packages.has("better-sqlite3") && hasSqliteClass(evidence) && !nodeSqliteUsable();
}

/** The wrangler config (when there is one that reads) and the test configs of a project being migrated. */
function migrationConfigs(directory: string, config: string | undefined): SqliteEvidence {
  const file = config !== undefined ? path.resolve(config) : findWranglerConfig(directory);
  let wrangler: WranglerWorker | undefined;
  try {
    wrangler = file === undefined ? undefined : readWranglerConfig(file);
  } catch {
    // A config that does not read is reported by the run, with its own message.
  }
  const texts = readdirSync(directory)
    .filter((name) => /^(vitest|vite|jest)\.(config|workspace)\.[cm]?[jt]s$/.test(name))
    .map((name) => readFileSync(path.join(directory, name), "utf8"));
  return { wrangler, texts };
}

/** Shows a migration's changes, applies them when --yes or the user says so. */
async function migrate(request: InitRequest, facts: ProjectFacts, plan: MigrationPlan): Promise<MigrationReport> {
  const diff = plan.changes.map(({ file, before, after }) => unifiedDiff(file, before, after)).join("");
  const applied = request.yes || (request.confirm !== undefined && (await request.confirm(plan, diff)));
  if (applied) {
    for (const { file, after } of plan.changes) {
      const target = path.join(facts.directory, file);
      if (after === undefined) rmSync(target);
      else writeFileSync(target, after);
    }
  }
  return { kind: "migration", runner: plan.runner, plan, diff, applied, next: [installAllCommand(facts), runCommand(facts, plan.runner)] };
}
