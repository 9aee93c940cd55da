import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const project = path.join(root, "fixtures", "types-project");
const cli = path.join(root, "dist", "cli", "main.js");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const generated = path.join(project, "worker-configuration.d.ts");
const misuse = path.join(project, "src", "misuse.ts");

afterEach(() => rmSync(misuse, { force: true }));

async function typecheck(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [tsc, "-p", path.join(project, "tsconfig.json")]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe("durabox types", () => {
  it("writes an Env whose bindings type-check user code with tsc", async () => {
    const { stdout } = await run(process.execPath, [cli, "types", "--config", path.join(project, "wrangler.toml"), "--out", generated]);
    expect(stdout).toContain(`wrote ${generated}`);
    const text = readFileSync(generated, "utf8");
    expect(text).toContain('COUNTER: DurableObjectNamespace<import("./src/index").Counter>;');
    expect(text).toContain('GREETING: "hello";');
    expect(text).toContain("RETRIES: 3;");
    expect(text).toContain("CONFIG: KVNamespace;");
    expect(text).toContain('REMOTE: DurableObjectNamespace /* Remote of worker "other" */;');
    expect(text).toContain('AUTH: Fetcher /* entrypoint Session of worker "auth" */;');
    expect(text).toContain("DB: D1Database;");
    expect(text).toContain("API_KEY: SecretsStoreSecret;");
    expect(text).toContain("LIMITER: RateLimit;");
    expect(text).toContain("CHECKOUT: Workflow /* checkout: Checkout */;");
    expect(await typecheck()).toEqual({ code: 0, output: "" });

    // The same Env rejects misuse: the types carry information, they are not `any`.
    copyFileSync(path.join(project, "src", "misuse.ts.txt"), misuse);
    const { code, output } = await typecheck();
    expect(code).not.toBe(0);
    expect(output).toMatch(/misuse\.ts\(3,\d+\): error TS2322: Type '("hello"|string)' is not assignable to type 'number'/);
    expect(output).toMatch(/misuse\.ts\(4,\d+\): error TS2339: Property 'nonexistent' does not exist/);
  });

  it("fails clearly without a config", async () => {
    const error = (await run(process.execPath, [cli, "types"], { cwd: "/" }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("durabox types needs a wrangler config");
  });
});
