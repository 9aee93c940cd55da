import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Whether Debian's redis-server is installed; in CI its absence is a failure, elsewhere a loud skip. */
export const redisAvailable = spawnSync("redis-server", ["--version"]).status === 0;

export function requireRedisOrSkip(): boolean {
  if (redisAvailable) return true;
  if (process.env.CI) throw new Error("redis-server is not installed: CI must run the Redis tests (.ci/run installs it).");
  console.warn("\n!!! SKIPPING the Redis tests: redis-server is not installed (apt-get install -y redis-server). !!!\n");
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port, in a directory of its own;
 * `stop` and `start` again (same port, same data with appendonly) to test a
 * Redis that goes away and comes back.
 */
export async function startRedis(options: { password?: string; appendonly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-redis-"));
  let child: ChildProcess | undefined;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--dir",
    dir,
    "--appendonly",
    options.appendonly ? "yes" : "no",
    "--appendfsync",
    "always",
    ...(options.password ? ["--requirepass", options.password] : []),
  ];
  const start = async (): Promise<void> => {
    child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) resolve();
      };
      child!.stdout!.on("data", onData);
      child!.on("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  };
  await start();
  const auth = options.password ? `:${options.password}@` : "";
  return {
    port,
    dir,
    url: `redis://${auth}127.0.0.1:${port}`,
    start,
    async stop(signal = "SIGTERM") {
      const running = child;
      if (running === undefined || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill(signal);
      });
    },
  };
}
