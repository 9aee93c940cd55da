import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { findWranglerConfig, readWranglerConfig } from "../config/wrangler.js";
import { bindingTest, isTypeScript, runnerConfig, type PlannedFile } from "./init-files.js";
import { installCommand, readProject, runCommand, RUNNERS, type Runner } from "./init-project.js";
import { envDeclaration } from "./types.js";

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
}

export interface InitReport {
  readonly runner: Runner;
  /** Why that runner: "package.json", "--runner", "--yes", "asked". */
  readonly chosenBy: string;
  readonly configFile: string;
  readonly written: readonly string[];
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** What to run next: the install (when something is missing), then the tests. */
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
export async function init(request: InitRequest): Promise<InitReport> {
  const directory = path.resolve(request.directory);
  const facts = readProject(directory);
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
    const existing = [file.file, ...(file.supersededBy ?? [])].filter((name) => existsSync(path.join(directory, name)));
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

  const environment = runner === "vitest" ? "vitest-environment-durabox" : "jest-environment-durabox";
  const missing = [runner, environment, "durabox"].filter((name) => !facts.packages.has(name));
  const next = [...(missing.length > 0 ? [installCommand(facts, missing)] : []), runCommand(facts, runner)];
  return { runner, chosenBy, configFile, written, skipped, next };
}
