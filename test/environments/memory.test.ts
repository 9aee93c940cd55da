import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { nodeOfMajor } from "../helpers/matrix.js";

/**
 * A Jest worker runs hundreds of test files in one process, each in a vm
 * context of its own in which durabox is evaluated. Nothing durabox keeps
 * per process may hold a file's realm, or every file's context stays in
 * memory. Deterministic checks (is a context collected after forced GCs?),
 * not memory-size thresholds; bench/ measures the sizes (workload 7e).
 */
const run = promisify(execFile);
const collector = fileURLToPath(new URL("../../fixtures/jest-memory/collect.cjs", import.meta.url));

async function collect(
  mode: "files" | "sqlite-files" | "one-gc",
  count: number,
  node = process.execPath,
): Promise<Record<string, unknown>> {
  const { stdout } = await run(node, ["--expose-gc", collector, mode, String(count)], {
    cwd: path.dirname(collector),
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("test files' contexts in a long Jest worker", () => {
  it("collects every earlier file's context while the worker is in a later one (each used an object: bundled worker, RPC, storage, alarm)", async () => {
    const result = await collect("files", 6);
    expect(result).toEqual({ files: 6, collected: [0, 1, 2, 3, 4], lastHeld: true });
  });

  // Node 24's node:sqlite (Node 20 has none: better-sqlite3 there) keeps a database's authorizer callback,
  // of the file's realm, past close() while a statement of it lives: durabox clears it before closing.
  it(
    "collects every earlier file's context when each ran SQL in a SQLite-backed object on node:sqlite (Node 24)",
    { timeout: 120_000 },
    async () => {
      const result = await collect("sqlite-files", 6, await nodeOfMajor(24));
      expect(result).toEqual({ files: 6, collected: [0, 1, 2, 3, 4], lastHeld: true });
    },
  );

  it("collects a file's realm in one full GC (nothing of it waits on a native object's finaliser)", async () => {
    const result = await collect("one-gc", 6);
    expect(result).toEqual({ contexts: 6, collectedByOneGc: 6 });
  });
});
