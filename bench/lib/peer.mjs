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
  // --legacy-peer-deps: the Redis peer below is an older @miniflare/storage-redis than miniflare's optional peer range.
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", `miniflare@${MINIFLARE_VERSION}`], {
    cwd: PEERS_DIR,
    stdio: "inherit",
  });
}

/**
 * Miniflare 2's Redis persistence (workloads 6c, 6d): its optional peers @miniflare/storage-redis and
 * ioredis 4, installed beside it so Miniflare's require() finds them before the repository's ioredis 5.
 * The registry this was written against served @miniflare/storage-redis up to 2.12.1 (not miniflare's 2.14.4); its storage
 * code for put, get and list is the same as 2.14's (later versions add alarm methods, unused here).
 */
export const MINIFLARE_REDIS_VERSION = "2.12.1";
const IOREDIS_RANGE = "^4.27.9";

export function miniflareRedisVersions() {
  const version = (name) => {
    try {
      return JSON.parse(readFileSync(path.join(PEERS_DIR, "node_modules", name, "package.json"), "utf8")).version;
    } catch {
      return undefined;
    }
  };
  return { storageRedis: version("@miniflare/storage-redis"), ioredis: version("ioredis") };
}

export function ensureRedisPeer() {
  const { storageRedis, ioredis } = miniflareRedisVersions();
  if (storageRedis === MINIFLARE_REDIS_VERSION && ioredis?.startsWith("4.")) return;
  console.log(`Installing @miniflare/storage-redis@${MINIFLARE_REDIS_VERSION} and ioredis@${IOREDIS_RANGE} into bench/.peers/ ...`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(
    npm,
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--legacy-peer-deps",
      `@miniflare/storage-redis@${MINIFLARE_REDIS_VERSION}`,
      `ioredis@${IOREDIS_RANGE}`,
    ],
    { cwd: PEERS_DIR, stdio: "inherit" },
  );
}
