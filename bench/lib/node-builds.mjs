// Other Node majors for the workloads that need one (8b: node:sqlite, which Node 20 lacks): the npm registry's
// official builds (node-<platform>-<arch>, the binary inside the package), installed once into
// bench/.peers/node<major>/, as test/helpers/matrix.ts installs them under .matrix/.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PEERS_DIR } from "./peer.mjs";

const PACKAGE = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;

function binaryOf(major) {
  return path.join(PEERS_DIR, `node${major}`, "node_modules", PACKAGE, "bin", process.platform === "win32" ? "node.exe" : "node");
}

/** The installed binary's version ("v24.x.y"), or undefined. */
export function nodeBuildVersion(major) {
  const binary = binaryOf(major);
  if (!existsSync(binary)) return undefined;
  try {
    return execFileSync(binary, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/** The path of a Node binary of `major`: this one if it is that major, else the registry's build (installed now if missing). */
export function ensureNodeBuild(major) {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  if (nodeBuildVersion(major) !== undefined) return binaryOf(major);
  console.log(`Installing ${PACKAGE}@${major} into bench/.peers/node${major}/ ...`);
  const dir = path.join(PEERS_DIR, `node${major}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ private: true, dependencies: { [PACKAGE]: `^${major}.0.0` } }, null, 2) + "\n",
  );
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
  if (nodeBuildVersion(major) === undefined) throw new Error(`${PACKAGE}@${major} installed, but ${binaryOf(major)} does not run`);
  return binaryOf(major);
}
