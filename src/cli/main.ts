import { once } from "node:events";
import { readFileSync } from "node:fs";
import { Durabox } from "../durabox.js";
import { DuraboxError } from "../base/errors.js";
import { HELP, parseCommandLine, type InitArguments, type ServeArguments } from "./args.js";
import { init, RUNNER_NAMES, type MigrationReport } from "./init.js";
import { askRunner, askYesNo } from "./init-ask.js";
import type { MigrationPlan } from "./init-migrate.js";
import { bannerLines } from "./banner.js";
import { serve } from "./server.js";
import { writeTypes } from "./types.js";
import { findWranglerConfig } from "../config/wrangler.js";
import { repairPersistenceDirectory } from "../sql/sqlite-repair.js";
import type { DuraboxOptions } from "../options.js";

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function optionsFor(args: ServeArguments): DuraboxOptions {
  // --config, else a wrangler config found from here up, else none (a script must be given).
  const config = args.options.wranglerConfigPath ?? findWranglerConfig(process.cwd());
  return { durableObjectsAlarms: true, ...args.options, ...(config !== undefined && { wranglerConfigPath: config }) };
}

async function runServe(args: ServeArguments): Promise<void> {
  const options = optionsFor(args);
  if (options.wranglerConfigPath === undefined && options.scriptPath === undefined) {
    throw new DuraboxError("ERR_OPTIONS", "No worker to serve: pass a script (durabox src/index.ts) or run where a wrangler.toml is.");
  }
  const mf = new Durabox(options);
  await mf.ready;
  const server = serve(mf, { info: out, error: err });
  server.listen(args.port, args.host);
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : args.port;
  const host = args.host.includes(":") ? `[${args.host}]` : args.host;
  const envs = new Map<string, Record<string, unknown>>();
  for (const worker of mf.internals.options.workers) envs.set(worker.name, await mf.getBindings(worker.name));
  for (const line of bannerLines(mf.internals.options, envs, process.cwd())) out(line);
  out(`durabox ${version()} listening on http://${host}:${port}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    out("durabox: stopping (storage is flushed before exit)");
    server.close();
    server.closeAllConnections();
    mf.dispose().then(
      () => process.exit(0),
      (error: unknown) => {
        err(`durabox: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function runRepair(directory: string): void {
  const report = repairPersistenceDirectory(directory);
  out(`durabox repair: read ${report.checked} object log(s) and ${report.checkedDatabases} SQLite database(s) in ${report.directory}`);
  if (report.repaired.length === 0 && report.repairedDatabases.length === 0) out("No damaged log or database: nothing to repair.");
  for (const repaired of report.repaired) {
    const lost = repaired.lost.map(({ offset, length }) => `${length} bytes at byte ${offset}`).join(", ");
    out(`repaired ${repaired.log} (object ${repaired.id} of ${repaired.namespace}):`);
    out(`  kept ${repaired.keptRecords} whole record(s); left out ${lost}`);
    out(`  the damaged log is kept as ${repaired.damagedCopy}`);
  }
  for (const repaired of report.repairedDatabases) {
    out(`repaired ${repaired.database} (object ${repaired.id} of ${repaired.namespace}):`);
    if (repaired.wal !== undefined) {
      const { keptCommits, keptFrames, droppedCommits, droppedFrames, problem } = repaired.wal;
      out(`  the -wal was damaged: ${problem}`);
      out(
        `  kept ${keptCommits} whole commit(s) (${keptFrames} frame(s)); dropped ${droppedCommits} commit(s) (${droppedFrames} frame(s))`,
      );
    }
    if (repaired.unrecoverable !== undefined)
      out(`  unrecoverable, SQLite cannot read it (${repaired.unrecoverable}): the object starts empty`);
    out(`  the original files are kept as ${repaired.keptAside.join(", ")}`);
  }
}

async function runInit(args: InitArguments): Promise<void> {
  // Ask only where someone can answer.
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  let shown = false;
  const show = (report: Pick<MigrationReport, "plan" | "diff">): void => {
    if (shown) return;
    shown = true;
    const { from, config, runner } = report.plan;
    out(`durabox init: ${config} tests with ${from}; the changes for durabox (${RUNNER_NAMES[runner]}):`);
    process.stdout.write(report.diff);
    for (const note of report.plan.notes) out(`  note: ${note}`);
  };
  const report = await init({
    directory: process.cwd(),
    yes: args.yes,
    ...(args.runner !== undefined && { runner: args.runner }),
    ...(args.config !== undefined && { config: args.config }),
    ...(interactive && {
      ask: askRunner,
      confirm: async (plan: MigrationPlan, diff: string) => {
        show({ plan, diff });
        return askYesNo("Apply these changes?");
      },
    }),
  });
  if (report.kind === "migration") return reportMigration(report, args, show);
  out(`durabox init: ${RUNNER_NAMES[report.runner]} (${report.chosenBy}), for the worker of ${report.configFile}`);
  for (const file of report.written) out(`  wrote ${file}`);
  for (const { file, reason } of report.skipped) out(`  skipped ${file}: ${reason}`);
  out("Next:");
  for (const command of report.next) out(`  ${command}`);
}

function reportMigration(report: MigrationReport, args: InitArguments, show: (report: MigrationReport) => void): void {
  show(report);
  if (!report.applied) {
    const flags = [
      "--yes",
      ...(args.runner !== undefined ? [`--runner ${args.runner}`] : []),
      ...(args.config !== undefined ? [`--config ${args.config}`] : []),
    ];
    err(`durabox init: nothing changed. To apply these changes, run: npx durabox init ${flags.join(" ")}`);
    process.exitCode = 1;
    return;
  }
  for (const { file, before, after } of report.plan.changes)
    out(`  ${before === undefined ? "wrote" : after === undefined ? "removed" : "changed"} ${file}`);
  out("Test files are unchanged. Next:");
  for (const command of report.next) out(`  ${command}`);
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseCommandLine(argv);
  switch (args.command) {
    case "help":
      out(HELP);
      return;
    case "version":
      out(version());
      return;
    case "types":
      out(`durabox: wrote ${await writeTypes(args.config, args.out)}`);
      return;
    case "repair":
      return runRepair(args.directory);
    case "init":
      return runInit(args);
    case "serve":
      return runServe(args);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof DuraboxError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  err(`durabox: ${message}`);
  if (error instanceof DuraboxError && error.code === "ERR_OPTIONS") err("Run durabox --help for the options.");
  // exitCode, not exit(): let stderr drain when it is a pipe.
  process.exitCode = 1;
});
