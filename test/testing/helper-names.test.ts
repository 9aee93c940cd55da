import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as testing from "../../src/testing/index.js";
import { installGlobals, testGlobals } from "../../src/testing/globals.js";

/**
 * The helpers are the exports of src/testing/helpers.ts; everything else that
 * names them (the built durabox/testing, both environments' globals.d.ts,
 * docs/testing.md) is checked against that here.
 */
const root = new URL("../../", import.meta.url);
const helpers = Object.keys(testGlobals).sort();
const withEnv = ["env", ...helpers].sort();

/** Globals only one environment installs, beside the shared helpers. */
const ENVIRONMENT_GLOBALS = {
  jest: ["setupMiniflareIsolatedStorage"],
  vitest: ["setupIsolatedStorage", "setupMiniflareIsolatedStorage"],
};

describe("the test helpers", () => {
  it("are exported by durabox/testing, built as ESM and CommonJS", async () => {
    expect(Object.keys(testing).sort()).toEqual(withEnv);
    const esm = (await import(new URL("dist/testing.js", root).href)) as object;
    expect(Object.keys(esm).sort()).toEqual(withEnv);
    expect(Object.keys(createRequire(import.meta.url)(fileURLToPath(new URL("dist/testing.cjs", root))) as object).sort()).toEqual(withEnv);
  });

  it("are all installed as globals, with env and the Workers global caches", () => {
    const global = {};
    installGlobals(global, { extra: 1 });
    expect(Object.keys(global).sort()).toEqual([...withEnv, "caches", "extra"].sort());
  });

  it.each(Object.entries(ENVIRONMENT_GLOBALS))("are declared as globals, each typed as its export, in %s's globals.d.ts", (name, extra) => {
    const text = readFileSync(new URL(`environments/${name}/globals.d.ts`, root), "utf8");
    const declared = [...text.matchAll(/^\s*const (\w+): (.*);$/gm)];
    expect(declared.map(([, global]) => global).sort()).toEqual([...withEnv, ...extra].sort());
    for (const [, global, type] of declared) {
      if (global === "env") expect(type).toBe("testing.ProvidedEnv");
      else if (!extra.includes(global!)) expect(type).toBe(`typeof testing.${global}`);
    }
  });

  it("are each named in docs/testing.md's Helpers section", () => {
    const page = readFileSync(new URL("docs/testing.md", root), "utf8");
    const begin = page.indexOf("\n## Helpers\n");
    const end = page.indexOf("\n## Isolation\n");
    expect(begin >= 0 && end > begin, "docs/testing.md has a Helpers section, then an Isolation section").toBe(true);
    const section = page.slice(begin, end);
    expect(helpers.filter((helper) => !section.includes(`\`${helper}`))).toEqual([]);
  });
});
