import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * fixtures/cloudflare-suite is one suite in four files: as Cloudflare's docs
 * write it (reset() in afterEach), the same relying on durabox's rollback,
 * and each converted to Jest. These checks keep them the same suite; the
 * runs themselves are in runners.test.ts.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = path.join(root, "fixtures/cloudflare-suite");
const read = (file: string): string => readFileSync(path.join(fixture, file), "utf8");

describe("fixtures/cloudflare-suite", () => {
  it.each(["counter", "rollback"])("test/jest/%s.test.ts is the Vitest file with vi changed to jest (and its import)", (name) => {
    const converted = read(`test/vitest/${name}.test.ts`)
      .replace('from "vitest";', 'from "@jest/globals";')
      .replace(/\bvi\b/g, "jest");
    expect(read(`test/jest/${name}.test.ts`)).toBe(converted);
  });

  it("rollback.test.ts is counter.test.ts without reset()", () => {
    const body = (text: string): string => text.slice(text.indexOf('describe("the worker"'));
    expect(body(read("test/vitest/rollback.test.ts"))).toBe(body(read("test/vitest/counter.test.ts")));
    expect(read("test/vitest/counter.test.ts")).toContain("await reset();");
    expect(read("test/vitest/rollback.test.ts")).not.toContain("await reset()");
  });

  it("type-checks with durabox's cloudflare:test types in place of Cloudflare's", { timeout: 60_000 }, () => {
    const tsc = path.join(root, "node_modules/typescript/bin/tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", fixture], { encoding: "utf8" })).not.toThrow();
  });
});
