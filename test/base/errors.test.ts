import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DuraboxError, ERROR_CODES } from "../../src/base/errors.js";
import { runtimeWith } from "../helpers/runtime.js";
import type { DurableObjectId } from "../../src/objects/id.js";

const require = createRequire(import.meta.url);

describe("DuraboxError", () => {
  it("is instanceof across copies of durabox in one process (the ESM and CommonJS builds are two)", async () => {
    type Built = { DuraboxError: typeof DuraboxError };
    const esm = (await import("../../dist/index.js")) as unknown as Built;
    const cjs = require("../../dist/index.cjs") as Built;
    expect(esm.DuraboxError).not.toBe(cjs.DuraboxError);
    const fromCjs = new cjs.DuraboxError("ERR_OPTIONS", "x");
    expect(fromCjs).toBeInstanceOf(esm.DuraboxError);
    expect(fromCjs).toBeInstanceOf(DuraboxError);
    expect(new esm.DuraboxError("ERR_SCRIPT", "y")).toBeInstanceOf(cjs.DuraboxError);
    expect(new Error("plain")).not.toBeInstanceOf(esm.DuraboxError);
    expect(null).not.toBeInstanceOf(esm.DuraboxError);
    expect(fromCjs).toBeInstanceOf(Error);
  });

  it("documents every code it declares, and src/ uses every declared code", async () => {
    const { readFileSync } = await import("node:fs");
    const { sourceFiles } = await import("../architecture/import-graph.js");
    const source = sourceFiles("src")
      .filter((file) => !file.endsWith("base/errors.ts"))
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    for (const code of Object.keys(ERROR_CODES)) expect(source, code).toContain(`"${code}"`);
    const declaration = readFileSync("src/base/errors.ts", "utf8");
    const page = readFileSync("docs/errors.md", "utf8");
    for (const code of Object.keys(ERROR_CODES)) expect(page, `docs/errors.md's table lists ${code}`).toContain(`| \`${code}\` |`);
    for (const code of Object.keys(ERROR_CODES)) expect(declaration).toMatch(new RegExp(`/\\*\\*(?:[^*]|\\*(?!/))+\\*/\\n  ${code}:`));
  });

  it("marks eviction ERR_EVICTED and abort() ERR_ABORTED, not ERR_DISPOSED", async () => {
    class Holder {
      constructor(readonly state: { blockConcurrencyWhile(fn: () => Promise<void>): Promise<void> }) {}
      async fetch(): Promise<Response> {
        // Holds every later event at the input gate; never released.
        void this.state.blockConcurrencyWhile(() => new Promise(() => {}));
        return new Response("holding");
      }
    }
    const { runtime, ns } = runtimeWith({ Holder });
    for (const [end, code] of [
      [(id: DurableObjectId) => runtime.evict(id), "ERR_EVICTED"],
      [(id: DurableObjectId) => runtime.liveInstance(id)!.abort("stop"), "ERR_ABORTED"],
    ] as const) {
      const stub = ns("Holder").get(ns("Holder").newUniqueId());
      expect(await (await stub.fetch("http://x/")).text()).toBe("holding");
      const queued = stub.fetch("http://x/");
      end(stub.id);
      await expect(queued).rejects.toMatchObject({ code });
    }
  });
});
