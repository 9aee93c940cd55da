import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported } from "../helpers/runner-report.js";

/**
 * A test that ends while an RPC call it did not await still runs in an
 * object (fixtures/cloudflare-suite, test/{jest,vitest}/pending-call.test.ts:
 * the call finishes 3 s later, after the file's runtime is disposed). As
 * production cancels a request's unfinished work, durabox cancels the call
 * when the test ends and warns naming it; the runner's process must not die
 * of the call's failure, and the next test runs. Real Jest and real Vitest,
 * as child processes, on the built packages.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = path.join(root, "fixtures/cloudflare-suite");
const WARNING =
  "durabox: The test ended while Counter.incrementAfter() was still running in a Durable Object, so durabox canceled it, " +
  "as production cancels a request's unfinished work when the request ends.";

describe("a test that ends with an RPC call not awaited", { timeout: 90_000 }, () => {
  it.each([
    ["Jest", path.join(root, "node_modules/jest/bin/jest.js"), ["--json", "test/jest/pending-call"]],
    ["Vitest", path.join(root, "node_modules/vitest/vitest.mjs"), ["run", "--reporter=json", "test/vitest/pending-call"]],
  ])("%s: the call is canceled with a warning naming it, and the runner carries on", async (_runner, bin, args) => {
    const outcome = await runReported(bin, args, fixture);
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toEqual([
      "a call left pending ends with an RPC call not awaited",
      "a call left pending runs the next test on fresh storage",
    ]);
    expect(outcome.output).toContain(WARNING);
    expect(outcome.output).not.toMatch(/Unhandled Rejection|triggerUncaughtException|database is closed/);
    expect(outcome.exitCode).toBe(0);
  });
});
