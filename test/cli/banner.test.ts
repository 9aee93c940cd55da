import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BINDING_DESCRIBERS, bannerLines, describeBinding, type BindingDescriber } from "../../src/cli/banner.js";
import { normalizeOptions } from "../../src/options.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = path.join(root, "dist", "cli", "main.js");
const worker = path.join(root, "fixtures", "cli", "worker.mjs");

/** Runs the CLI until it listens, calls `use` with its address, stops it with SIGINT; resolves everything it printed. */
function serveOnce(args: string[], use: (url: string) => Promise<void>): Promise<string> {
  const child = spawn(process.execPath, [cli, ...args, "--port", "0"], { cwd: root, env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  let used = false;
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match && !used) {
        used = true;
        use(match[1]!).then(() => child.kill("SIGINT"), reject);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", () => resolve(output));
  });
}

describe("the start-up banner", () => {
  it("names the worker, each binding with its kind (Durable Objects with storage kind and persistence), then the address", async () => {
    const data = path.join(mkdtempSync(path.join(tmpdir(), "durabox-banner-")), "data");
    const output = await serveOnce([worker, "--do", "COUNTER=Counter", "-b", "GREETING=hello", "--do-persist", data], async () => {});
    const lines = output.split("\n");
    const at = lines.findIndex((line) => line.startsWith("worker "));
    expect(lines.slice(at, at + 4), output).toEqual([
      "worker (fixtures/cli/worker.mjs)",
      '  GREETING  var "hello"',
      `  COUNTER   Durable Object Counter (key-value storage, persisted to ${data})`,
      expect.stringMatching(/^durabox \S+ listening on http:\/\/127\.0\.0\.1:\d+$/),
    ]);
  });

  it("with --verbose, logs each Durable Object event", async () => {
    const output = await serveOnce([worker, "--do", "COUNTER=Counter", "--verbose"], async (url) => {
      expect(await (await fetch(`${url}/a`)).text()).toBe("1");
    });
    expect(output).toContain('durabox: fetch Counter "/a" GET /a\ndurabox: construct Counter "/a"\n');
    // Stopping evicts the instance.
    expect(output).toMatch(/durabox: eviction Counter "\/a" /);
  });

  it("without --verbose, logs no event", async () => {
    const output = await serveOnce([worker, "--do", "COUNTER=Counter"], async (url) => {
      await fetch(`${url}/a`);
    });
    expect(output).not.toContain("durabox: fetch");
  });
});

describe("binding describers", () => {
  const options = normalizeOptions({
    script: "export default {}",
    durableObjects: { COUNTER: "Counter" },
    durableObjectsPersist: "redis://user:secret@127.0.0.1:6379",
  });
  const context = { worker: options.workers[0]!, persistence: options.persistence, cwd: root };
  const added: BindingDescriber[] = [];
  afterEach(() => {
    for (const describer of added.splice(0)) BINDING_DESCRIBERS.splice(BINDING_DESCRIBERS.indexOf(describer), 1);
  });

  it("say which classes are SQLite-backed", () => {
    const sqlite = normalizeOptions({ script: "export default {}", durableObjects: { ROOM: { className: "Room", useSQLite: true } } });
    expect(describeBinding("ROOM", {}, { worker: sqlite.workers[0]!, persistence: sqlite.persistence, cwd: root })).toBe(
      "Durable Object Room (SQLite storage, in memory)",
    );
  });

  it("hide a Redis password", () => {
    expect(describeBinding("COUNTER", {}, context)).toBe(
      "Durable Object Counter (key-value storage, persisted to redis://***@127.0.0.1:6379)",
    );
  });

  it("take a new binding kind ahead of the plain-value fallback", () => {
    class KvNamespace {}
    const kv: BindingDescriber = (_name, value) => (value instanceof KvNamespace ? "KV namespace (in memory)" : undefined);
    added.push(kv);
    BINDING_DESCRIBERS.unshift(kv);
    const lines = bannerLines(options, new Map([[options.workers[0]!.name, { CACHE: new KvNamespace(), LIMIT: 3 }]]), root);
    expect(lines.slice(1)).toEqual(["  CACHE  KV namespace (in memory)", "  LIMIT  var 3"]);
  });
});
