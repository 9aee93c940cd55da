import type { ParseError } from "jsonc-parser";
import { nodeRequire } from "../base/node-require.js";

type Jsonc = typeof import("jsonc-parser");

/**
 * JSON with comments and trailing commas (wrangler.jsonc, tsconfig.json), as
 * their own tools read it; a syntax error goes to `fail` with its line.
 * jsonc-parser is loaded on first use, so start-up without such a file pays nothing.
 */
export function parseJsonc(text: string, fail: (message: string) => never): unknown {
  const { parse, printParseErrorCode } = nodeRequire("jsonc-parser") as Jsonc;
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const line = text.slice(0, first.offset).split("\n").length;
    fail(`not valid JSON: ${printParseErrorCode(first.error)} at line ${line}.`);
  }
  return value;
}
