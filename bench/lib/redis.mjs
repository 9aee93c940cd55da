// A real redis-server for the Redis persistence workloads (6c, 6d): started by bench/run.mjs on a free
// loopback port, without persistence of its own, and stopped at the end. The children find it in
// DURABOX_BENCH_REDIS_URL and empty it (FLUSHALL) before and after they run, so neither runtime sees
// the other's data. A tiny RESP client stands in for a Redis library: the bench itself needs none.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import net from "node:net";
import path from "node:path";

export const REDIS_URL_ENV = "DURABOX_BENCH_REDIS_URL";

/** The redis-server executable on PATH, or undefined. */
export function redisServerPath() {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A loopback port nothing listens on now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Sends one command and resolves with its reply (simple string, integer, bulk string or error). */
export function redisCommand(url, ...args) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`Redis at ${url}: no answer to ${args[0]} in 5 s`)), 5000);
    socket.on("connect", () => {
      socket.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join(""));
    });
    socket.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf("\r\n");
      if (end < 0) return;
      const type = String.fromCharCode(data[0]);
      const line = data.subarray(1, end).toString();
      let reply;
      if (type === "+") reply = line;
      else if (type === ":") reply = Number(line);
      else if (type === "-") reply = new Error(`Redis at ${url}: ${line}`);
      else if (type === "$") {
        const length = Number(line);
        if (length < 0) reply = null;
        else if (data.length < end + 2 + length + 2)
          return; // wait for the rest
        else reply = data.subarray(end + 2, end + 2 + length).toString();
      } else reply = new Error(`Redis at ${url}: unexpected reply ${JSON.stringify(data.toString().slice(0, 40))}`);
      clearTimeout(timer);
      socket.end();
      if (reply instanceof Error) reject(reply);
      else resolve(reply);
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The server the parent started (children): its URL, emptied. */
export async function benchRedis() {
  const url = process.env[REDIS_URL_ENV];
  if (!url) throw new Error(`${REDIS_URL_ENV} is not set: the Redis workloads run from bench/run.mjs, which starts redis-server`);
  await redisCommand(url, "FLUSHALL");
  return url;
}

/**
 * Starts `redis-server` on a free loopback port; resolves once it answers PING.
 * Returns undefined when redis-server is not installed.
 */
export async function startRedis() {
  const executable = redisServerPath();
  if (!executable) return undefined;
  const port = await freePort();
  const child = spawn(
    executable,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = null;
  child.on("exit", (code, signal) => (exited = signal ?? code));
  child.on("error", (error) => (exited = error.message));
  // If the bench dies, the server goes with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited !== null) throw new Error(`redis-server exited (${exited}) before answering:\n${output}`);
    try {
      if ((await redisCommand(url, "PING")) === "PONG") break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`redis-server on port ${port} did not answer PING in 10 s (${error.message}):\n${output}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const info = await redisCommand(url, "INFO", "server");
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  return {
    url,
    port,
    pid: child.pid,
    version,
    async stop() {
      process.off("exit", killOnExit);
      if (exited !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}
