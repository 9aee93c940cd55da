import { describe, expect, it } from "vitest";
import { compileFunction } from "node:vm";
import { lexerReady, MODULE_PARAMS, moduleToFunctionBody } from "../../src/worker/module-transform.js";

/** Runs a module through the transform; imports resolve from `modules`. */
async function viaTransform(source: string, modules: Record<string, Record<string, unknown>> = {}) {
  await lexerReady();
  const body = moduleToFunctionBody(source);
  if (body === undefined) return undefined;
  const exports: Record<string, unknown> = {};
  const factory = compileFunction(body.body, [...MODULE_PARAMS]);
  factory(
    exports,
    (specifier: string) => modules[specifier],
    async (specifier: string) => modules[specifier],
    { url: "file:///x.mjs" },
  );
  return { exports, imports: body.imports };
}

/** A comparable picture of exports: functions by kind and name, the rest by value. */
function describe_(value: unknown, depth = 0): unknown {
  if (typeof value === "function") return `function ${value.name}`;
  if (value === null || typeof value !== "object" || depth > 2) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, describe_((value as Record<string, unknown>)[k], depth + 1)]),
  );
}

/** Runs the same module natively, as the oracle. */
async function natively(source: string): Promise<Record<string, unknown>> {
  return { ...(await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`)) };
}

const forms = {
  "export class": "export class A { static x = 1 }",
  "export function and async function": "export function f() { return 1 } export async function g() { return 2 }",
  "export const list": "export const a = 1, b = 'two';",
  "export let (live binding)": "export let n = 1; export function bump() { n++ }",
  "export default object": "export default { fetch() { return 'ok' } }",
  "export default named class": "export default class Q { static q = 'q' }",
  "export default anonymous function": "export default function () { return 'anon' }",
  "export default expression": "const v = 40; export default v + 2",
  "export list with renames": "const a = 1, b = 2; export { a, b as c, a as default };",
  "multi-line export list": "const a = 1;\nconst b = 2;\nexport {\n  a,\n  b as bee,\n};",
  "everything at once": "export const x = 1;\nexport class K {}\nexport default { k: 1 };\nconst y = 2; export { y };",
};

describe("ES module to function body", () => {
  for (const [name, source] of Object.entries(forms)) {
    it(`matches native evaluation: ${name}`, async () => {
      const ours = (await viaTransform(source))!.exports;
      const theirs = await natively(source);
      expect(describe_(ours)).toEqual(describe_(theirs));
    });
  }

  it("keeps live bindings live", async () => {
    const { exports } = (await viaTransform("export let n = 1; export function bump() { n++ }"))!;
    (exports.bump as () => void)();
    expect(exports.n).toBe(2);
  });

  it("rewrites imports of every form and keeps line numbers", async () => {
    const source = [
      'import def, { a as aa, b } from "m1";',
      'import * as ns from "m2";',
      'import "m3";',
      "import {",
      "  c,",
      '} from "m4";',
      'export const line = new Error().stack.split("\\n")[1].match(/:(\\d+):\\d+/)[1];',
      'export { z as zed } from "m5";',
      'export * from "m6";',
      'export * as nine from "m6";',
      "export const meta = import.meta.url;",
      'export const dyn = () => import("m1");',
      "export const all = [def, aa, b, ns.n, c];",
    ].join("\n");
    const modules = {
      m1: { default: "D", a: "A", b: "B" },
      m2: { n: "N" },
      m3: {},
      m4: { c: "C" },
      m5: { z: "Z" },
      m6: { s: "S", default: "hidden" },
    };
    const { exports, imports } = (await viaTransform(source, modules))!;
    expect(imports).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m6"]);
    expect(exports.all).toEqual(["D", "A", "B", "N", "C"]);
    expect(exports.line).toBe("7");
    expect(exports.zed).toBe("Z");
    expect(exports.s).toBe("S");
    expect(exports.default).toBeUndefined();
    expect(exports.nine).toEqual(modules.m6);
    expect(exports.meta).toBe("file:///x.mjs");
    expect(await (exports.dyn as () => Promise<unknown>)()).toEqual(modules.m1);
  });

  it("declines what it does not handle, for esbuild to take", async () => {
    expect(await viaTransform('import type { A } from "a"; export const x = 1;')).toBeUndefined();
    expect(await viaTransform('import data from "./d.json" with { type: "json" };')).toBeUndefined();
  });

  it("runs in strict mode, as modules do", async () => {
    const { exports } = (await viaTransform("export const strict = (function () { return this === undefined; })();"))!;
    expect(exports.strict).toBe(true);
  });
});
