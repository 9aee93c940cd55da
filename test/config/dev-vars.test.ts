import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { envDeclaration } from "../../src/cli/types.js";
import { readDevVars } from "../../src/config/dev-vars.js";
import { readWranglerConfig } from "../../src/config/wrangler.js";
import { Durabox } from "../../src/durabox.js";
import { normalizeOptions } from "../../src/options.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { optionsError } from "../helpers/options-error.js";

const worker = "export default { fetch: (request, env) => Response.json(env) }";
const config = {
  main: "index.mjs",
  vars: { GREETING: "hello", API_KEY: "placeholder" },
  env: { staging: { vars: { GREETING: "hi from staging", API_KEY: "placeholder" } } },
};

/** A project: wrangler.json, the worker, and the given files beside them. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-dev-vars-"));
  writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify(config));
  writeFileSync(path.join(dir, "index.mjs"), worker);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const vars = (dir: string, wranglerEnvironment?: string): Readonly<Record<string, unknown>> =>
  normalizeOptions({ wranglerConfigPath: true, ...(wranglerEnvironment !== undefined && { wranglerEnvironment }) }, dir).workers[0]!
    .bindings;

const open: { dispose(): Promise<void> }[] = [];
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.dispose();
});

describe(".dev.vars beside the wrangler config", () => {
  it("puts its values on env, over the config's vars", async () => {
    const dir = project({ ".dev.vars": 'API_KEY="s3cret"\nEXTRA=1\n' });
    expect(vars(dir)).toEqual({ GREETING: "hello", API_KEY: "s3cret", EXTRA: "1" });
    const mf = new Durabox({ wranglerConfigPath: true }, { cwd: dir });
    open.push(mf);
    expect(await mf.dispatchFetch("/").json()).toEqual({ GREETING: "hello", API_KEY: "s3cret", EXTRA: "1" });
  });

  it("reaches the test runtime, which finds the config itself", async () => {
    const dir = project({ ".dev.vars": "API_KEY=from-dev-vars\n" });
    const runtime = new TestRuntime({}, { cwd: dir });
    open.push(runtime);
    expect(runtime.env.API_KEY).toBe("from-dev-vars");
  });

  it("is under the options: `bindings` given win", () => {
    const dir = project({ ".dev.vars": "API_KEY=s3cret\n" });
    expect(normalizeOptions({ wranglerConfigPath: true, bindings: { API_KEY: "given" } }, dir).workers[0]!.bindings.API_KEY).toBe("given");
  });

  it("with an environment selected, reads .dev.vars.<environment> alone when it exists, else .dev.vars", () => {
    const both = project({ ".dev.vars": "API_KEY=top\nONLY_TOP=1\n", ".dev.vars.staging": "API_KEY=staging\n" });
    expect(vars(both, "staging")).toEqual({ GREETING: "hi from staging", API_KEY: "staging" });
    expect(vars(both)).toEqual({ GREETING: "hello", API_KEY: "top", ONLY_TOP: "1" });
    const generic = project({ ".dev.vars": "API_KEY=top\n" });
    expect(vars(generic, "staging")).toEqual({ GREETING: "hi from staging", API_KEY: "top" });
  });

  it("is a binding name like any other: one a KV namespace also has is refused naming both", () => {
    const dir = project({ ".dev.vars": "CACHE=x\n" });
    expect(optionsError(() => normalizeOptions({ wranglerConfigPath: true, kvNamespaces: ["CACHE"] }, dir)).message).toBe(
      '"CACHE" is both a KV namespace binding and a plain binding: rename one.',
    );
  });
});

describe(".env files, when there is no .dev.vars", () => {
  it("are read and merged, the most specific winning", () => {
    const dir = project({ ".env": "API_KEY=env\nA=env\nB=env\n", ".env.local": "A=local\n" });
    expect(vars(dir)).toEqual({ GREETING: "hello", API_KEY: "env", A: "local", B: "env" });
    const staged = project({
      ".env": "A=env\nB=env\nC=env\nD=env\n",
      ".env.staging": "B=staging\nC=staging\nD=staging\n",
      ".env.local": "C=local\nD=local\n",
      ".env.staging.local": "D=staging-local\n",
    });
    expect(vars(staged, "staging")).toMatchObject({ A: "env", B: "staging", C: "local", D: "staging-local" });
    expect(vars(staged)).toMatchObject({ A: "env", B: "env", C: "local", D: "local" });
  });

  it("are not read when a .dev.vars exists, or when CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV is false", () => {
    const dir = project({ ".dev.vars": "FROM=dev-vars\n", ".env": "FROM=env\nENV_ONLY=1\n" });
    expect(vars(dir)).toEqual({ GREETING: "hello", API_KEY: "placeholder", FROM: "dev-vars" });
    const envOnly = project({ ".env": "FROM=env\n" });
    expect(readDevVars(envOnly, undefined, { CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false" })).toEqual({ files: [], values: {} });
    expect(readDevVars(envOnly, undefined, {})).toEqual({ files: [path.join(envOnly, ".env")], values: { FROM: "env" } });
  });
});

describe("durabox types", () => {
  it("declares a local secret as a string, never printing its value", () => {
    const dir = project({ ".dev.vars": "API_KEY=s3cret\nEXTRA=1\n" });
    const text = envDeclaration(readWranglerConfig(path.join(dir, "wrangler.json")), path.join(dir, "env.d.ts"));
    expect(text).toContain('  GREETING: "hello";');
    expect(text).toContain("  API_KEY: string;");
    expect(text).toContain("  EXTRA: string;");
    expect(text).not.toContain("s3cret");
  });
});
