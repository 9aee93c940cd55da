import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

// Both spawn the built package (dist/): `npm run build` first.
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = path.join(root, "fixtures", "open-files");
const cli = path.join(root, "dist", "cli", "main.js");

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts the CLI on an ephemeral port; resolves with its URL once it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, ...args, "--port", "0"], { cwd: root, env: { ...process.env, NODE_OPTIONS: "" } });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    });
    child.on("exit", (code) => reject(new Error(`durabox exited with ${code}:\n${output}`)));
  });
}

/** Real files and descriptors; tmpfs where there is one, so the run is not bound by the shared disk's fsyncs. */
const scratch = (): string => mkdtempSync(path.join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "durabox-open-files-"));

const openDescriptors = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

describe.runIf(process.platform === "linux")("SQLite-backed objects persisted to a directory keep descriptors bounded", () => {
  it("a durabox server touching 5,000 objects in turn answers every request, its open descriptors bounded", async () => {
    const dir = scratch();
    const server = await serve([path.join(fixtures, "worker.mjs"), "--do", "TALLY=Tally:sqlite", "--do-persist", dir]);
    const pid = server.child.pid!;
    const baseline = openDescriptors(pid);
    let most = baseline;
    const failures: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const response = await fetch(`${server.url}/o${i}`);
      const body = await response.text();
      if (response.status !== 200) failures.push(`${i}: ${response.status} ${body.slice(0, 200)}`);
      if (i % 250 === 0) most = Math.max(most, openDescriptors(pid));
    }
    most = Math.max(most, openDescriptors(pid));
    expect(failures).toEqual([]);
    // 32 open databases of three descriptors each, and the server's own; before, three per object ever touched.
    expect(most - baseline).toBeLessThan(32 * 3 + 30);
    // The first object's file opens again, its data whole.
    expect(await (await fetch(`${server.url}/o0`)).json()).toEqual({ hits: 2 });
  }, 300_000);

  it("the server's 500 response carries the error's message, not its stack", async () => {
    const dir = scratch();
    const server = await serve([path.join(fixtures, "worker.mjs"), "--do", "TALLY=Tally:sqlite", "--do-persist", dir]);
    const response = await fetch(`${server.url}/throw`);
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toContain("worker failed");
    expect(body).not.toMatch(/\n\s+at /);
    // The stack still goes to the server's log.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.output()).toMatch(/worker failed\n\s+at /);
  });

  it("a runtime under `ulimit -n 256` touches 1,000 objects; files reopen invisibly (data, alarms, an open cursor)", async () => {
    const dir = scratch();
    const script = path.join(fixtures, "touch-many.mjs");
    const child = spawn("bash", ["-c", `ulimit -n 256; exec "$0" --expose-gc "$1" "$2" 1000`, process.execPath, script, dir], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    children.push(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, output).toBe(0);
    const result = JSON.parse(output.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(result).toMatchObject({ failures: 0, again: { hits: 2 }, afterAlarm: 2, rest: 2 });
    expect(result.fds as number).toBeLessThan(200);
  }, 300_000);
});
