import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported } from "../helpers/runner-report.js";

/**
 * tsconfig `paths` (reached through `extends`, no baseUrl) in worker, Durable
 * Object and test code, on real Jest (the preset's resolver) and real Vitest
 * (the durabox() plugin), as wrangler's esbuild resolves them in production.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = path.join(root, "fixtures", "path-aliases");
const RUNNERS = {
  jest: { bin: path.join(root, "node_modules", "jest", "bin", "jest.js"), args: ["--json"], userAlias: "jest.user-alias.config.cjs" },
  vitest: {
    bin: path.join(root, "node_modules", "vitest", "vitest.mjs"),
    args: ["run", "--reporter=json"],
    userAlias: "vitest.user-alias.config.ts",
  },
} as const;

describe.each(Object.keys(RUNNERS) as (keyof typeof RUNNERS)[])("%s", (runner) => {
  it("resolves @lib/* and @objects from tsconfig paths in the worker, the object and the test", { timeout: 120_000 }, async () => {
    const { bin, args } = RUNNERS[runner];
    const outcome = await runReported(bin, [...args], fixture);
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(3);
  });

  it("lets the user's own alias (moduleNameMapper, resolve.alias) win over tsconfig paths", { timeout: 120_000 }, async () => {
    const { bin, args, userAlias } = RUNNERS[runner];
    const outcome = await runReported(bin, [...args, "-c", userAlias], fixture);
    expect(outcome.failed, outcome.output).toEqual([]);
    expect(outcome.passed).toHaveLength(1);
  });
});
