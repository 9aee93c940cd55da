import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runReported, type Outcome } from "./runner-report.js";

/** What the `durabox init` tests share: fixture projects copied, the built CLI run in them, and their suites run. */
export const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");

/** A copy of a fixture project (a folder under fixtures/) in a temporary folder. */
export function copyFixture(fixture: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "durabox-init-")), path.basename(fixture));
  cpSync(path.join(root, "fixtures", fixture), dir, { recursive: true });
  return dir;
}

/** `durabox init` (the built CLI) in `dir`, under `node`, with no terminal. */
export function runInit(
  dir: string,
  args: string[] = [],
  node = process.execPath,
): { code: number | null; output: string; stdout: string } {
  const result = spawnSync(node, [cli, "init", ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  return { code: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

/** `durabox init` on a pseudo-terminal (util-linux's `script`), answering `input`; undefined where `script` is missing. */
export const hasScript = spawnSync("script", ["--version"]).status === 0;
export function runInitOnTerminal(dir: string, input: string, args: string[] = []): string {
  const command = [process.execPath, cli, "init", ...args].map((part) => JSON.stringify(part)).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], {
    cwd: dir,
    input,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return result.stdout;
}

/**
 * What the printed install command would install, linked instead: this
 * repository's durabox and environment package, and its runner.
 */
export function link(dir: string, runner: "jest" | "vitest"): void {
  const modules = path.join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  symlinkSync(root, path.join(modules, "durabox"), "dir");
  symlinkSync(path.join(root, "environments", runner), path.join(modules, `${runner}-environment-durabox`), "dir");
  symlinkSync(path.join(root, "node_modules", runner), path.join(modules, runner), "dir");
}

/** The project's suite on the real runner, with its JSON report. */
export function runTests(dir: string, runner: "jest" | "vitest"): Promise<Outcome> {
  return runner === "jest"
    ? runReported(path.join(root, "node_modules", "jest", "bin", "jest.js"), ["--json"], dir)
    : runReported(path.join(root, "node_modules", "vitest", "vitest.mjs"), ["run", "--reporter=json"], dir);
}
