import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommandLine, type ServeArguments } from "../../../src/cli/args.js";
import { envDeclaration } from "../../../src/cli/types.js";
import { readWranglerConfig } from "../../../src/config/wrangler.js";
import { normalizeOptions } from "../../../src/options.js";
import { Durabox } from "../../../src/index.js";

const script = "export default {}";

describe("the R2 options", () => {
  it("take Miniflare 2's array of names and Miniflare 3's object of binding to bucket", () => {
    expect(normalizeOptions({ script, r2Buckets: ["A", "B"] }).workers[0]!.r2Buckets).toEqual([
      { binding: "A", bucketName: "A" },
      { binding: "B", bucketName: "B" },
    ]);
    expect(normalizeOptions({ script, r2Buckets: { A: "uploads" } }).workers[0]!.r2Buckets).toEqual([
      { binding: "A", bucketName: "uploads" },
    ]);
  });

  it("refuse a value of another shape, and a binding name used twice", () => {
    expect(() => normalizeOptions({ script, r2Buckets: "A" as never })).toThrow(
      'Option "r2Buckets" must be an array of binding names or an object of binding name to bucket name, such as { BUCKET: "uploads" }, got string.',
    );
    expect(() => normalizeOptions({ script, r2Buckets: { A: 1 } as never })).toThrow(/Option "r2Buckets" must be/);
    expect(() => normalizeOptions({ script, r2Buckets: ["A"], bindings: { A: 1 } })).toThrow(
      '"A" is both an R2 bucket binding and a plain binding: rename one.',
    );
  });

  it("r2Persist: memory, ./.durabox/r2, a directory, or Redis", () => {
    const cwd = "/work/project";
    expect(normalizeOptions({ script }, cwd).r2Persistence).toEqual({ kind: "memory" });
    expect(normalizeOptions({ script, r2Persist: true }, cwd).r2Persistence).toEqual({
      kind: "file",
      directory: path.join(cwd, ".durabox", "r2"),
    });
    expect(normalizeOptions({ script, r2Persist: "data" }, cwd).r2Persistence).toEqual({ kind: "file", directory: "/work/project/data" });
    expect(normalizeOptions({ script, r2Persist: "redis://127.0.0.1:6379/2" }, cwd).r2Persistence).toEqual({
      kind: "redis",
      url: "redis://127.0.0.1:6379/2",
    });
    expect(() => normalizeOptions({ script, r2Persist: "s3://bucket" })).toThrow(
      'Option "r2Persist" accepts a directory or a redis:// / rediss:// URL, got "s3://bucket".',
    );
    expect(() => normalizeOptions({ script, r2Persist: 3 as never })).toThrow(
      /Option "r2Persist" must be true, a directory or a redis:\/\/ URL/,
    );
  });

  it("are set by --r2 NAME[=BUCKET] and --r2-persist", () => {
    const { options } = parseCommandLine(["w.mjs", "--r2", "A", "--r2", "B=uploads", "--r2-persist", "./r2"]) as ServeArguments;
    expect(options).toEqual({ scriptPath: "w.mjs", r2Buckets: { A: "A", B: "uploads" }, r2Persist: "./r2" });
    expect((parseCommandLine(["--r2-persist"]) as ServeArguments).options.r2Persist).toBe(true);
    expect(() => parseCommandLine(["--r2", "A="])).toThrow('--r2 expects NAME or NAME=BUCKET, got "A=" (for example --r2 BUCKET=uploads).');
  });

  it("read wrangler's r2_buckets, refusing an entry without a binding", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "durabox-r2-config-"));
    const file = path.join(dir, "wrangler.toml");
    writeFileSync(file, '[[r2_buckets]]\nbinding = "FILES"\nbucket_name = "uploads"\n');
    const config = readWranglerConfig(file);
    expect(config.bindings.r2).toEqual({ FILES: "uploads" });
    // durabox types declares the binding as @cloudflare/workers-types' R2Bucket.
    expect(envDeclaration(config, path.join(dir, "env.d.ts"))).toContain("  FILES: R2Bucket;");
    writeFileSync(file, '[[r2_buckets]]\nbucket_name = "uploads"\n');
    expect(() => readWranglerConfig(file)).toThrow(/"r2_buckets\[0\]" needs a binding/);
  });

  it("getR2Bucket names the bindings there are when one is missing", async () => {
    const mf = new Durabox({ script, r2Buckets: ["FILES"] });
    await expect(mf.getR2Bucket("NOPE")).rejects.toThrow('No R2 bucket binding named "NOPE". R2 bindings: FILES.');
    await mf.dispose();
    const none = new Durabox({ script });
    await expect(none.getR2Bucket("FILES")).rejects.toThrow("No R2 buckets are configured (option r2Buckets).");
    await none.dispose();
  });
});
