// Installs the peer (Miniflare 2) into bench/.peers/, once.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MINIFLARE_VERSION = "2.14.4";
export const PEERS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".peers");
export const MINIFLARE_DIR = path.join(PEERS_DIR, "node_modules", "miniflare");

export function miniflareVersion() {
  return JSON.parse(readFileSync(path.join(MINIFLARE_DIR, "package.json"), "utf8")).version;
}

export function ensurePeer() {
  if (existsSync(path.join(MINIFLARE_DIR, "package.json")) && miniflareVersion() === MINIFLARE_VERSION) return;
  console.log(`Installing miniflare@${MINIFLARE_VERSION} into bench/.peers/ ...`);
  mkdirSync(PEERS_DIR, { recursive: true });
  const pkg = path.join(PEERS_DIR, "package.json");
  if (!existsSync(pkg)) {
    writeFileSync(pkg, JSON.stringify({ name: "durabox-bench-peers", private: true }, null, 2) + "\n");
  }
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--no-audit", "--no-fund", `miniflare@${MINIFLARE_VERSION}`], {
    cwd: PEERS_DIR,
    stdio: "inherit",
  });
}
