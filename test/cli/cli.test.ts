import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { requireRedisOrSkip, startRedis } from "../helpers/redis.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");
const worker = path.join(root, "fixtures", "cli", "worker.mjs");

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  exited: Promise<number | null>;
}

const running: Running[] = [];
afterEach(() => {
  for (const { child } of running.splice(0)) child.kill("SIGKILL");
});

/** Starts the CLI with plain node on an ephemeral loopback port; resolves once it listens. */
function start(args: string[], cwd = root): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args, "--port", "0"], { cwd, env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        const started: Running = { child, url: match[1]!, output: () => output, exited };
        running.push(started);
        resolve(started);
      }
    };
    child.stdout.on("data", check);
    void exited.then((code) => reject(new Error(`durabox exited with ${code} before listening:\n${output}`)));
  });
}

/** Runs the CLI to completion. */
function runToEnd(args: string[], cwd = root): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("durabox CLI", () => {
  it("serves the worker on 127.0.0.1, logging one line per request", async () => {
    const server = await start([worker, "--do", "COUNTER=Counter", "-b", "GREETING=hello"]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/a`)).text()).toBe("1");
    expect(await (await fetch(`${server.url}/a`)).text()).toBe("2");
    expect(await (await fetch(`${server.url}/var`)).text()).toBe("hello");
    const failed = await fetch(`${server.url}/throw`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain("worker failed");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.output()).toMatch(/GET \/a 200 \(\d+\.\d ms\)/);
    expect(server.output()).toMatch(/GET \/throw 500 \(\d+\.\d ms\)/);
  });

  it("streams bodies both ways and keeps repeated headers", async () => {
    const server = await start([worker, "--do", "COUNTER=Counter"]);
    const big = "x".repeat(1 << 20);
    const echoed = await fetch(`${server.url}/echo`, { method: "POST", body: big });
    expect(echoed.headers.get("x-method")).toBe("POST");
    expect(echoed.headers.get("set-cookie")).toBe("a=1");
    expect((await echoed.text()).length).toBe(big.length);
    const streamed = await fetch(`${server.url}/stream`);
    expect(await streamed.text()).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
  });

  it("streams: the echo of a chunk arrives before the next chunk is sent", async () => {
    const server = await start([worker, "--do", "COUNTER=Counter"]);
    const { request } = await import("node:http");
    const url = new URL(`${server.url}/echo`);
    const echoed: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "transfer-encoding": "chunked" } },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            echoed.push(chunk);
            // Only once a chunk came back is the next one sent: a buffering server would hang here.
            if (echoed.join("").length < 30) req.write(`chunk-${echoed.length} `);
            else req.end();
          });
          res.on("end", resolve);
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.write("chunk-0 ");
    });
    expect(echoed.join("")).toBe("chunk-0 chunk-1 chunk-2 chunk-3 ");
  });

  it("keeps data across restarts with --do-persist, and exits 0 on Ctrl-C", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-"));
    const first = await start([worker, "--do", "COUNTER=Counter", "--do-persist", path.join(dir, "data")]);
    expect(await (await fetch(`${first.url}/p`)).text()).toBe("1");
    expect(await (await fetch(`${first.url}/p`)).text()).toBe("2");
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain("stopping");
    const second = await start([worker, "--do", "COUNTER=Counter", "--do-persist", path.join(dir, "data")]);
    expect(await (await fetch(`${second.url}/p`)).text()).toBe("3");
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("serves a worker using KV (--kv) and the Cache API, whose data survives a restart with --kv-persist and --cache-persist", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-kv-"));
    const kvCache = path.join(root, "fixtures", "cli", "kv-cache-worker.mjs");
    const args = [kvCache, "--kv", "NS", "--kv-persist", path.join(dir, "kv"), "--cache-persist", path.join(dir, "cache")];
    const first = await start(args);
    expect(await (await fetch(`${first.url}/kv`, { method: "PUT", body: "hello" })).text()).toBe("stored");
    expect(await (await fetch(`${first.url}/kv`)).json()).toEqual({ value: "hello", metadata: { by: "cli" } });
    const made = await fetch(`${first.url}/cached`);
    expect(made.headers.get("cf-cache-status")).toBeNull();
    const body = await made.text();
    const hit = await fetch(`${first.url}/cached`);
    expect(hit.headers.get("cf-cache-status")).toBe("HIT");
    expect(await hit.text()).toBe(body);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);

    const second = await start(args);
    expect(await (await fetch(`${second.url}/kv`)).json()).toEqual({ value: "hello", metadata: { by: "cli" } });
    const again = await fetch(`${second.url}/cached`);
    expect(again.headers.get("cf-cache-status")).toBe("HIT");
    expect(await again.text()).toBe(body);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it.skipIf(!requireRedisOrSkip())("keeps data in Redis with --do-persist redis://", async () => {
    const redis = await startRedis();
    try {
      const first = await start([worker, "--do", "COUNTER=Counter", "--do-persist", redis.url]);
      expect(await (await fetch(`${first.url}/r`)).text()).toBe("1");
      first.child.kill("SIGINT");
      expect(await first.exited).toBe(0);
      const second = await start([worker, "--do", "COUNTER=Counter", "--do-persist", redis.url]);
      expect(await (await fetch(`${second.url}/r`)).text()).toBe("2");
      second.child.kill("SIGINT");
      expect(await second.exited).toBe(0);
    } finally {
      await redis.stop();
    }
  });

  it("recovers a damaged persistence directory with durabox repair", async () => {
    const data = path.join(mkdtempSync(path.join(tmpdir(), "durabox-cli-")), "data");
    const first = await start([worker, "--do", "COUNTER=Counter", "--do-persist", data]);
    for (let n = 1; n <= 4; n++) expect(await (await fetch(`${first.url}/c`)).text()).toBe(String(n));
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    // Flip one bit in the checksum of the second of the four records (n = 2).
    const objectDir = path.join(
      data,
      readdirSync(data).find((name) => !name.startsWith("."))!,
    );
    const log = path.join(objectDir, readdirSync(objectDir)[0]!, "log");
    const bytes = readFileSync(log);
    const second = 12 + bytes.readUInt32LE(4);
    bytes[second + 8] = bytes[second + 8]! ^ 1;
    writeFileSync(log, bytes);

    const refused = await start([worker, "--do", "COUNTER=Counter", "--do-persist", data]);
    expect((await fetch(`${refused.url}/c`)).status).toBe(500);
    refused.child.kill("SIGINT");
    expect(await refused.exited).toBe(0);

    const repair = await runToEnd(["repair", data]);
    expect(repair.code).toBe(0);
    expect(repair.output).toContain(`durabox repair: read 1 object log(s) and 0 SQLite database(s) in ${data}`);
    expect(repair.output).toContain(`repaired ${log}`);
    expect(repair.output).toContain(`kept 3 whole record(s); left out ${second} bytes at byte ${second}`);
    expect(repair.output).toMatch(/the damaged log is kept as .*log\.corrupt-\d{8}T\d{6}Z/);
    const repaired = await start([worker, "--do", "COUNTER=Counter", "--do-persist", data]);
    expect(await (await fetch(`${repaired.url}/c`)).text()).toBe("5");
    repaired.child.kill("SIGINT");
    expect(await repaired.exited).toBe(0);
    expect((await runToEnd(["repair", data])).output).toContain("No damaged log or database: nothing to repair.");
    const usage = await runToEnd(["repair"]);
    expect(usage.code).toBe(1);
    expect(usage.output).toContain("durabox repair takes one persistence directory, for example durabox repair ./.durabox/do.");
  });

  it("uses ./.durabox/do for a bare --do-persist", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-"));
    const server = await start([worker, "--do", "COUNTER=Counter", "--do-persist"], dir);
    expect(await (await fetch(`${server.url}/x`)).text()).toBe("1");
    server.child.kill("SIGINT");
    expect(await server.exited).toBe(0);
    expect(readdirSync(path.join(dir, ".durabox", "do"))).toContain("%23Counter");
  });

  it("serves a worker using D1 (--d1), its data kept across restarts with --d1-persist, also when bound by --config", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-d1-"));
    const d1Worker = path.join(root, "fixtures", "cli", "d1-worker.mjs");
    const first = await start([d1Worker, "--d1", "DB=notes-db", "--d1-persist", path.join(dir, "d1")]);
    expect(await (await fetch(first.url, { method: "POST", body: "first" })).json()).toEqual({ id: 1 });
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    writeFileSync(
      path.join(dir, "wrangler.toml"),
      `main = ${JSON.stringify(d1Worker)}\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "notes"\ndatabase_id = "notes-db"\n`,
    );
    const second = await start(["--config", path.join(dir, "wrangler.toml"), "--d1-persist", path.join(dir, "d1")]);
    expect(await (await fetch(second.url, { method: "POST", body: "second" })).json()).toEqual({ id: 2 });
    expect(await (await fetch(second.url)).json()).toEqual([
      { id: 1, body: "first" },
      { id: 2, body: "second" },
    ]);
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  });

  it("reads the worker and its bindings from --config", async () => {
    const server = await start(["--config", path.join(root, "fixtures", "wrangler", "toml", "wrangler.toml")]);
    expect(await (await fetch(server.url)).json()).toEqual({ greeting: "hello from toml", limit: 3, flags: "object" });
  });

  it("lists every flag with an example in --help", async () => {
    const { code, output } = await runToEnd(["--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--do",
      "--do-persist",
      "--d1",
      "--d1-persist",
      "--kv",
      "--kv-persist",
      "--cache-persist",
      "--port",
      "--host",
      "--config",
      "--binding",
      "--compatibility-date",
    ]) {
      expect(output).toContain(flag);
    }
    expect(output).toMatch(/Examples:\n\s+durabox src\/index\.ts --do COUNTER=Counter/);
  });

  it("exits 1 with a clear message for a bad flag, a bad value, or a missing class", async () => {
    const bad = await runToEnd(["--nope"]);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("durabox: Unknown option '--nope'");
    expect(bad.output).toContain("Run durabox --help");
    const port = await runToEnd([worker, "--port", "http"]);
    expect(port.code).toBe(1);
    expect(port.output).toContain('--port must be a whole number from 0 to 65535, got "http"');
    const doFlag = await runToEnd([worker, "--do", "COUNTER"]);
    expect(doFlag.code).toBe(1);
    expect(doFlag.output).toContain("--do expects NAME=VALUE");
    const missing = await runToEnd([worker, "--do", "COUNTER=Countr"]);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('does not export a class named "Countr". It exports: Counter.');
  });
});
