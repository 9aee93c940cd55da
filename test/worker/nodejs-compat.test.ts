import { describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { nodejsCompatMode } from "../../src/worker/nodejs-compat.js";

const importing = (specifier: string) =>
  `import * as m from "${specifier}"; export default { fetch() { return new Response(typeof process + " " + Object.keys(m).length); } }`;

/** What loading the worker says: its first response's text, or the load error's message. */
async function load(specifier: string, options: { compatibilityFlags?: string[]; compatibilityDate?: string }): Promise<string> {
  const mf = new Durabox({ script: importing(specifier), ...options });
  try {
    return await mf.dispatchFetch("/").text();
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  } finally {
    await mf.dispose();
  }
}

describe("Node.js compatibility, as workerd resolves it from flags and date", () => {
  it("is on with nodejs_compat, nodejs_compat_v2, or a compatibility date from 2026-08-04 (unless no_nodejs_compat)", () => {
    expect(nodejsCompatMode({ flags: ["nodejs_compat"], date: "2024-01-01" })).toBe("full");
    expect(nodejsCompatMode({ flags: ["nodejs_compat_v2"], date: undefined })).toBe("full");
    expect(nodejsCompatMode({ flags: [], date: "2026-08-04" })).toBe("full");
    expect(nodejsCompatMode({ flags: ["no_nodejs_compat"], date: "2026-09-01" })).toBe("off");
    expect(nodejsCompatMode({ flags: ["nodejs_als"], date: "2025-01-01" })).toBe("als");
    expect(nodejsCompatMode({ flags: [], date: "2026-08-03" })).toBe("off");
  });

  it("loads node:* built-ins with nodejs_compat_v2, and by default from 2026-08-04", async () => {
    expect(await load("node:buffer", { compatibilityFlags: ["nodejs_compat_v2"] })).toMatch(/^object \d+$/);
    expect(await load("node:buffer", { compatibilityDate: "2026-09-01" })).toMatch(/^object \d+$/);
  });

  it("gives node:async_hooks alone with nodejs_als, and says so for anything else", async () => {
    expect(await load("node:async_hooks", { compatibilityFlags: ["nodejs_als"] })).toMatch(/^undefined \d+$/);
    const refused = await load("node:fs", { compatibilityFlags: ["nodejs_als"] });
    expect(refused).toContain('The "nodejs_als" flag provides only node:async_hooks: for "node:fs", use "nodejs_compat" instead.');
  });

  it("says to remove no_nodejs_compat rather than to add a flag", async () => {
    const refused = await load("node:fs", { compatibilityFlags: ["no_nodejs_compat"], compatibilityDate: "2026-09-01" });
    expect(refused).toContain('The "no_nodejs_compat" flag turns it off: remove that flag.');
    expect(refused).not.toContain("Add");
  });

  it("without it, says how to turn it on and shows the flags and date durabox runs the worker with", async () => {
    const refused = await load("node:fs", { compatibilityFlags: ["streams_enable_constructors"], compatibilityDate: "2024-01-01" });
    expect(refused).toContain(
      'imports "node:fs", which Workers provide only with Node.js compatibility. Add "nodejs_compat" to compatibilityFlags',
    );
    expect(refused).toContain(
      '(durabox runs this worker with compatibility flags "streams_enable_constructors" and compatibility date "2024-01-01".)',
    );
  });

  it("with it, names the file and the import that is no Node.js built-in", async () => {
    expect(await load("node:nope", { compatibilityFlags: ["nodejs_compat"] })).toMatch(
      /^refused: .*<script>\.mjs imports "node:nope", which is not a Node\.js built-in module durabox can provide\.$/,
    );
  });
});
