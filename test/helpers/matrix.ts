import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What the tests that install from the npm registry share: the cache folder
 * .matrix/ (git-ignored; outside node_modules, where Jest and Vitest skip
 * test files), `npm install` in a folder, a lock so two test files never
 * install into one folder at once, and the registry's Node builds.
 */
export const root = fileURLToPath(new URL("../../", import.meta.url));
export const cache = path.join(root, ".matrix");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const npmInstall = (cwd: string): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(
      npm,
      // --prefer-offline: what npm's cache holds is used without asking the registry again.
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
      { cwd, maxBuffer: 64 << 20 },
      (error, _stdout, stderr) => (error ? reject(new Error(`npm install in ${cwd} failed: ${stderr}`)) : resolve()),
    );
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` holding a lock on `dir` (a folder made beside it: mkdir is atomic); a lock older than 10 minutes is stale. */
export async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Installs `dir`'s package.json unless what it installed last time came from
 * the same package.json and the same `tarballs` (package name -> file): a
 * stamp in the folder records their hash.
 */
export async function installOnce(dir: string, tarballs: Readonly<Record<string, string>> = {}): Promise<void> {
  const hash = createHash("sha256").update(readFileSync(path.join(dir, "package.json")));
  for (const file of Object.values(tarballs)) hash.update(readFileSync(file));
  const digest = hash.digest("hex");
  const stamp = path.join(dir, "node_modules", ".durabox-installed");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  // A tarball keeps its name from build to build: the lock's integrity for it would be stale, and npm
  // would keep what the last one installed (a nested copy of a dependency it no longer has).
  rmSync(path.join(dir, "package-lock.json"), { force: true });
  for (const name of Object.keys(tarballs)) rmSync(path.join(dir, "node_modules", name), { recursive: true, force: true });
  await npmInstall(dir);
  writeFileSync(stamp, digest);
}

/** A Node binary of this major: the one running the suite, or the registry's official build, installed under .matrix/. */
export async function nodeOfMajor(major: number): Promise<string> {
  if (Number(process.versions.node.split(".")[0]) === major) return process.execPath;
  const name = `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
  const dir = path.join(cache, `node${major}`);
  await withLock(dir, async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, dependencies: { [name]: `^${major}.0.0` } }));
    await installOnce(dir);
  });
  return path.join(dir, "node_modules", name, "bin", process.platform === "win32" ? "node.exe" : "node");
}

/** The three packages' tarballs as `npm run pack` writes them (package name -> file), packed into .matrix/packed/ (after `npm run build`). */
export async function packedTarballs(): Promise<Record<string, string>> {
  const packed = path.join(cache, "packed");
  mkdirSync(packed, { recursive: true });
  return withLock(path.join(packed, "tarballs"), async () =>
    JSON.parse(execFileSync(process.execPath, [path.join(root, "scripts", "pack.mjs"), "--destination", packed], { encoding: "utf8" })),
  );
}
