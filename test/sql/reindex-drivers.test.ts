import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nodeOfMajor } from "../helpers/matrix.js";

const fixture = fileURLToPath(new URL("../../fixtures/persistence/sqlite-reindex.mjs", import.meta.url));

function run(node: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile(node, [fixture], { env: { ...process.env, NODE_OPTIONS: "" } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${node} ${fixture} failed: ${stderr}`)) : resolve(JSON.parse(stdout) as Record<string, string>),
    );
  });
}

// Node 20 runs better-sqlite3 (authorizer emulated), Node 24 node:sqlite with SQLite's authorizer. workerd allows
// REINDEX of _cf_KV (conformance/tests/sqlite.test.ts): it only rebuilds the table's own index.
describe.each([20, 24])("REINDEX of the runtime's own tables (Node %i)", (major) => {
  it("is allowed as production allows it, as are bare REINDEX and the user's own tables and indexes", async () => {
    const outcome = await run(await nodeOfMajor(major));
    expect(outcome).toEqual({
      "REINDEX _cf_KV": "ok",
      "REINDEX main._cf_KV": "ok",
      "REINDEX t": "ok",
      "REINDEX ta": "ok",
      REINDEX: "ok",
    });
  }, 60_000);
});
