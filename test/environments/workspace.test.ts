import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cache, installOnce, packedTarballs, root, withLock } from "../helpers/matrix.js";
import { runReported } from "../helpers/runner-report.js";

/**
 * An npm-workspace project as users lay one out: the packages installed from
 * the tarballs and hoisted to the repository's root, Vitest run in a package
 * folder (its root there), with `isolate: false`. Vitest 3.2 loads the
 * environment module through a loader it caches for the worker's life: the
 * second file in a worker waited 60 s on "resolveId" of
 * vitest-environment-durabox/dist/index.js (environments/vitest/src/config.ts
 * says why). The package is fixtures/vitest-no-isolate, whose files check
 * each starts on a fresh runtime with an env of its own.
 */
const workspace = path.join(cache, "workspace-vitest3");
const app = path.join(workspace, "packages", "app");

beforeAll(async () => {
  const tarballs = await packedTarballs();
  await withLock(workspace, async () => {
    rmSync(app, { recursive: true, force: true });
    mkdirSync(app, { recursive: true });
    cpSync(path.join(root, "fixtures", "vitest-no-isolate"), app, { recursive: true });
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    const packages = ["durabox", "vitest-environment-durabox"];
    writeFileSync(
      path.join(workspace, "package.json"),
      JSON.stringify({
        name: "workspace",
        private: true,
        workspaces: ["packages/*"],
        devDependencies: { vitest: "~3.2.0", ...Object.fromEntries(packages.map((name) => [name, `file:${tarballs[name]}`])) },
      }),
    );
    await installOnce(workspace, Object.fromEntries(packages.map((name) => [name, tarballs[name]!])));
  });
}, 600_000);

describe("an npm workspace on Vitest 3.2, the packages hoisted to its root", () => {
  it.each(["threads", "forks"])(
    "runs its package's files in one %s worker (isolate: false), each on a fresh runtime, without waiting",
    async (pool) => {
      expect(JSON.parse(readFileSync(path.join(workspace, "node_modules", "vitest", "package.json"), "utf8")).version).toMatch(/^3\.2\./);
      const log = path.join(mkdtempSync(path.join(tmpdir(), "durabox-workers-")), "log");
      const started = Date.now();
      const outcome = await runReported(
        path.join(workspace, "node_modules", "vitest", "vitest.mjs"),
        ["run", "--reporter=json", "--no-isolate", `--pool=${pool}`, "--maxWorkers=1"],
        app,
        process.execPath,
        { DURABOX_WORKER_LOG: log },
      );
      expect(outcome.failed, outcome.output).toEqual([]);
      expect(outcome.passed).toHaveLength(5);
      expect(outcome.output).not.toContain("Timeout calling");
      // One worker ran all five files.
      expect(new Set(readFileSync(log, "utf8").trim().split("\n")).size).toBe(1);
      expect(Date.now() - started).toBeLessThan(55_000);
    },
    240_000,
  );
});
