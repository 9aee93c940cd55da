import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The built entry, as the environments load it (dist/ has no node_modules above it here, so the cache
// goes to the temporary directory: TMPDIR points that at a folder of this test's own).
const LOADER = path.resolve("dist/testing-loader.js");
const folder = mkdtempSync(path.join(tmpdir(), "durabox-code-cache-test-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A new Node process that loads the runtime, uses it, saves the cache, and reports. */
function loadInChild(env: Record<string, string> = {}): { used: boolean; saved: boolean; file: string | undefined; counted: number } {
  const script = `
    const { loadTestingRuntime, saveCodeCache, codeCacheState } = await import(${JSON.stringify(LOADER)});
    const testing = loadTestingRuntime();
    const runtime = new testing.TestRuntime({ modules: true, script: "export class C { constructor(s) { this.s = s; } async fetch() { const n = ((await this.s.storage.get('n')) ?? 0) + 1; await this.s.storage.put('n', n); return new Response(String(n)); } } export default {};", durableObjects: { C: "C" } }, { cwd: process.cwd() });
    const ns = runtime.env.C;
    const stub = ns.get(ns.idFromName("a"));
    await stub.fetch("http://x/");
    const counted = Number(await (await stub.fetch("http://x/")).text());
    await runtime.dispose();
    saveCodeCache();
    console.log(JSON.stringify({ ...codeCacheState(), counted }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, TMPDIR: folder, ...env },
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as { used: boolean; saved: boolean; file: string | undefined; counted: number };
}

describe("durabox/testing-loader: the runtime compiled from V8's code cache", () => {
  it("the first process writes the cache, the next compiles from it, and both run the runtime", () => {
    const first = loadInChild();
    expect(first).toMatchObject({ used: false, saved: true, counted: 2 });
    expect(first.file).toMatch(/durabox-code-cache[/\\]testing-runtime-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\.v8$/);
    expect(readdirSync(path.join(folder, "durabox-code-cache"))).toEqual([path.basename(first.file!)]);
    const second = loadInChild();
    expect(second).toMatchObject({ used: true, counted: 2, file: first.file });
  });

  it("DURABOX_CODE_CACHE=0 neither reads nor writes a cache", () => {
    const off = loadInChild({ DURABOX_CODE_CACHE: "0" });
    expect(off).toMatchObject({ used: false, counted: 2 });
    expect(off.file).toBeUndefined();
  });

  it("a cache V8 rejects (another build's) is replaced, and the runtime still loads", async () => {
    const { writeFileSync } = await import("node:fs");
    const good = loadInChild();
    writeFileSync(good.file!, Buffer.from("not a code cache"));
    expect(loadInChild()).toMatchObject({ used: false, saved: true, counted: 2 });
    expect(loadInChild()).toMatchObject({ used: true, counted: 2 });
  });
});
