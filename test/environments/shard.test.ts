import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported } from "../helpers/runner-report.js";

/**
 * `--shard` on real Jest and real Vitest: a suite split across machines
 * passes the same tests as the whole run, each test in exactly one shard,
 * since every test file gets its own runtime. fixtures/cloudflare-suite has
 * several test files per runner.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = path.join(root, "fixtures", "cloudflare-suite");
const RUNNERS = {
  jest: { bin: path.join(root, "node_modules", "jest", "bin", "jest.js"), args: ["--json"] },
  vitest: { bin: path.join(root, "node_modules", "vitest", "vitest.mjs"), args: ["run", "--reporter=json"] },
} as const;

describe.each(Object.keys(RUNNERS) as (keyof typeof RUNNERS)[])("%s --shard", (runner) => {
  it("splits the suite into shards whose passes, together, are the whole run's, each test once", { timeout: 240_000 }, async () => {
    const { bin, args } = RUNNERS[runner];
    const whole = await runReported(bin, [...args], fixture);
    expect(whole.failed, whole.output).toEqual([]);
    const shards = [];
    for (const shard of ["1/2", "2/2"]) shards.push(await runReported(bin, [...args, `--shard=${shard}`], fixture));
    for (const outcome of shards) {
      expect(outcome.failed, outcome.output).toEqual([]);
      expect(outcome.passed.length).toBeGreaterThan(0);
    }
    // The same names as often as in the whole run (counter and rollback share test names): none lost, none run twice.
    const together = shards.flatMap((outcome) => outcome.passed);
    expect(together.sort()).toEqual([...whole.passed].sort());
  });
});
