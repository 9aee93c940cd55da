import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");
const worker = path.join(root, "fixtures", "cli", "r2-worker.mjs");

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  exited: Promise<number | null>;
}
const running: Running[] = [];
afterEach(() => {
  for (const { child } of running.splice(0)) child.kill("SIGKILL");
});

/** Starts the CLI on an ephemeral loopback port; resolves once it listens. */
function start(args: string[], cwd = root): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args, "--port", "0"], { cwd, env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        const started = { child, url: match[1]!, exited };
        running.push(started);
        resolve(started);
      }
    });
    void exited.then((code) => reject(new Error(`durabox exited with ${code} before listening:\n${output}`)));
  });
}

const stop = async (server: Running) => {
  server.child.kill("SIGINT");
  expect(await server.exited).toBe(0);
};

describe("durabox CLI with R2", () => {
  it("serves a worker using an R2 bucket (--r2), and keeps its objects across restarts with --r2-persist", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-r2-"));
    const flags = [worker, "--r2", "FILES=uploads", "--r2-persist", path.join(dir, "r2")];
    const first = await start(flags);
    const big = "0123456789".repeat(300_000); // 3 MB, streamed to the worker and into R2
    const put = await fetch(`${first.url}/big.txt`, { method: "PUT", body: big, headers: { "content-type": "text/plain" } });
    expect(put.status).toBe(201);
    const etag = await put.text();
    await fetch(`${first.url}/gone`, { method: "PUT", body: "x" });
    await fetch(`${first.url}/gone`, { method: "DELETE" });
    await stop(first);

    const second = await start(flags);
    const whole = await fetch(`${second.url}/big.txt`);
    expect(whole.headers.get("content-type")).toBe("text/plain");
    expect(whole.headers.get("etag")).toBe(etag);
    expect(await whole.text()).toBe(big);
    const part = await fetch(`${second.url}/big.txt`, { headers: { range: "bytes=10-14" } });
    expect([part.status, await part.text()]).toEqual([206, "01234"]);
    const unchanged = await fetch(`${second.url}/big.txt`, { headers: { "if-none-match": etag } });
    expect(unchanged.status).toBe(304);
    expect(await (await fetch(`${second.url}/gone`)).text()).toBe("not found");
    expect(await (await fetch(`${second.url}/`)).json()).toEqual([{ key: "big.txt", size: big.length }]);
    await stop(second);
  });

  it("reads r2_buckets from the wrangler config", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-cli-r2-config-"));
    writeFileSync(
      path.join(dir, "wrangler.json"),
      JSON.stringify({ main: worker, r2_buckets: [{ binding: "FILES", bucket_name: "uploads" }] }),
    );
    const server = await start([], dir);
    expect((await fetch(`${server.url}/a`, { method: "PUT", body: "from config" })).status).toBe(201);
    expect(await (await fetch(`${server.url}/a`)).text()).toBe("from config");
    await stop(server);
  });
});
