import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReported } from "../../helpers/runner-report.js";

/** Real Jest and Vitest, as children of plain node, running R2 fixtures against the built packages. */
const root = fileURLToPath(new URL("../../../", import.meta.url));
const jestBin = path.join(root, "node_modules", "jest", "bin", "jest.js");
const vitestBin = path.join(root, "node_modules", "vitest", "vitest.mjs");

describe("R2 in the test environments", { timeout: 90_000 }, () => {
  it("Jest: env and getR2Bucket share the bucket (persisted to files), tests roll back, beforeAll's data stays", async () => {
    const outcome = await runReported(jestBin, ["--json"], path.join(root, "fixtures/jest-r2"));
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(2);
  });

  it("Vitest: the same through the durabox() config helper", async () => {
    const outcome = await runReported(vitestBin, ["run", "--reporter=json"], path.join(root, "fixtures/vitest-r2"));
    expect(outcome.failed).toEqual([]);
    expect(outcome.passed).toHaveLength(2);
  });
});
