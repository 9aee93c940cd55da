import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Script, type Context } from "node:vm";
import type * as Testing from "durabox/testing-runtime";

const require_ = createRequire(__filename);
const testingPath = require_.resolve("durabox/testing-runtime");
let script: Script | undefined;

/**
 * durabox's testing module, evaluated inside a test file's vm context, so
 * everything durabox makes (Maps from list(), errors, Dates from storage,
 * promises) belongs to the test's realm and passes its `instanceof`. Its
 * dependencies load through Node's require as usual. Compiled once per
 * process, run once per test file.
 */
export function loadTestingInContext(context: Context): typeof Testing {
  script ??= new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(testingPath, "utf8")}\n})`, {
    filename: testingPath,
  });
  const module = { exports: {} as typeof Testing };
  const factory = script.runInContext(context) as (...args: unknown[]) => void;
  factory(module.exports, createRequire(testingPath), module, testingPath, path.dirname(testingPath));
  return module.exports;
}
