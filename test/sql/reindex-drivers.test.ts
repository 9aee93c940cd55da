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

// Node 20 runs better-sqlite3 (authorizer emulated), Node 24 node:sqlite with SQLite's authorizer, which is handed
// the indexes REINDEX rebuilds (sqlite_autoindex__cf_KV_1), never the table named.
describe.each([20, 24])("REINDEX of the runtime's own tables (Node %i)", (major) => {
  it("is refused as production refuses it; the user's own tables and indexes reindex", async () => {
    const outcome = await run(await nodeOfMajor(major));
    expect(outcome["REINDEX _cf_KV"]).toBe("not authorized: SQLITE_AUTH");
    expect(outcome["REINDEX main._cf_KV"]).toBe("not authorized: SQLITE_AUTH");
    expect(outcome["REINDEX t"]).toBe("ok");
    expect(outcome["REINDEX ta"]).toBe("ok");
  }, 60_000);
});
