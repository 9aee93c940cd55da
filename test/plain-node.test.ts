import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../fixtures/plain-node/seed.mjs", import.meta.url));

describe("plain node", () => {
  it("runs a modules worker with Durable Objects from the built package, with no Node flags", async () => {
    // NODE_OPTIONS cleared: nothing may sneak a flag in.
    const { stdout } = await run(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: "" } });
    expect(JSON.parse(stdout)).toEqual({
      execArgv: [],
      text: "3",
      responseInstanceof: true,
      bytesInstanceof: true,
      dateInstanceof: true,
    });
  });
});
