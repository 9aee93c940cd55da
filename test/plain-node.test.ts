import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const script = fileURLToPath(new URL("../fixtures/plain-node/seed.mjs", import.meta.url));

describe("plain node", () => {
  it("imports from node -e and require()s the CommonJS build", async () => {
    const esm = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const cjs = fileURLToPath(new URL("../dist/index.cjs", import.meta.url));
    const { stdout } = await run(process.execPath, [
      "-e",
      `import(${JSON.stringify(esm)}).then((m) => console.log(typeof m.Durabox, typeof require(${JSON.stringify(cjs)}).Durabox))`,
    ]);
    expect(stdout.trim()).toBe("function function");
  });

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
