import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { nodeOfMajor } from "../helpers/matrix.js";
import { mountTmpfs, type Tmpfs } from "../helpers/tmpfs.js";

const writer = fileURLToPath(new URL("../../fixtures/persistence/sqlite-full-disk.mjs", import.meta.url));

interface Outcome {
  root: string;
  id: string;
  acknowledged: number[];
  acknowledgedWhenFull: number;
  failures: { method: string; id: number; code: string | undefined; message: string }[];
  resumed: number;
  stored: number[];
}

function run(node: string, dir: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(node, [writer, dir], { maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: "" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${node} ${writer} failed: ${stderr}`)) : resolve(JSON.parse(stdout) as Outcome),
    );
  });
}

const mounts: Tmpfs[] = [];
afterAll(() => {
  for (const mount of mounts) mount.unmount();
});

// Node 20 runs better-sqlite3, Node 24 node:sqlite: the fixture runs on both, each on a 1 MiB tmpfs of its own.
describe.each([20, 24])("a SQLite-backed object on a full disk (Node %i)", (major) => {
  it("never acknowledges a write it did not store: the event fails with ERR_STORAGE naming the file and object, and writes resume with space", async () => {
    const mount = mountTmpfs(1024);
    if (mount === undefined) return;
    mounts.push(mount);
    const outcome = await run(await nodeOfMajor(major), mount.dir);

    expect(outcome.acknowledgedWhenFull).toBeGreaterThan(10);
    expect(outcome.failures.length).toBeGreaterThanOrEqual(30);
    // Events that wrote without an await, after one, and synchronously all fail, with the durabox error.
    expect(new Set(outcome.failures.map((failure) => failure.method))).toEqual(new Set(["add", "addLater", "addSync"]));
    for (const failure of outcome.failures) {
      expect(failure.code).toBe("ERR_STORAGE");
      expect(failure.message).toContain(
        `Durable Object storage commit of ${path.join(outcome.root, "%23Rows", outcome.id, "db.sqlite")} failed`,
      );
      expect(failure.message).toContain(`for object ${outcome.id} of #Rows in ${outcome.root}: database or disk is full: SQLITE_FULL.`);
      expect(failure.message).toContain("none of them is stored");
      expect(failure.message).toContain("The disk (or your quota) is full: free some space, then retry");
    }
    // Space again: writes resume.
    expect(outcome.resumed).toBeGreaterThan(0);
    // After a reopen, exactly what was acknowledged is stored: nothing acknowledged is missing, nothing failed is there.
    expect(outcome.stored).toEqual([...outcome.acknowledged].sort((a, b) => a - b));
  }, 120_000);
});
