import { createHash } from "node:crypto";
import path from "node:path";
import { transformSync, type Loader } from "esbuild";

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".jsx": "jsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
};
const VERSION = "durabox-transform-1";

/**
 * Jest calls to run before any import, as babel-jest hoists them: with
 * esbuild's output they would otherwise run after the requires they mean to
 * affect. Moved to the top of the file (the lines they leave stay, empty,
 * so line numbers hold).
 */
const HOISTED = /^(?:[\w$]+\.)?jest\.(?:mock|unmock|enableAutomock|disableAutomock|deepUnmock)\(/;
/** `import { jest } from "@jest/globals"` compiles to `import_globals.jest`, which is not set yet where the call goes. */
const IMPORTED_JEST = /^[\w$]+\.jest\./;

function statementEnd(code: string, start: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < code.length; i++) {
    const c = code[i]!;
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "}" || c === "]") {
      depth--;
      if (depth === 0 && c === ")") {
        let end = i + 1;
        if (code[end] === ";") end++;
        return end;
      }
    }
  }
  return code.length;
}

export function hoistJestCalls(code: string): string {
  const hoisted: string[] = [];
  let out = "";
  let at = 0;
  const lineStart = /^/gm;
  for (let match = lineStart.exec(code); match !== null; match = lineStart.exec(code)) {
    if (match.index < at) continue;
    if (!HOISTED.test(code.slice(match.index, match.index + 40))) {
      if (match.index === code.length) break;
      lineStart.lastIndex = match.index + 1;
      continue;
    }
    const end = statementEnd(code, match.index);
    const statement = code.slice(match.index, end);
    // Up there the module's own `jest` (which Jest passes to every module) stands in.
    hoisted.push(statement.replace(IMPORTED_JEST, "jest.").replace(/\n/g, " "));
    out += code.slice(at, match.index) + "\n".repeat(statement.split("\n").length - 1);
    at = end;
    lineStart.lastIndex = end;
  }
  if (hoisted.length === 0) return code;
  out += code.slice(at);
  // After esbuild's "use strict" (line 1 keeps the count: everything goes on it).
  const firstLineEnd = out.indexOf("\n");
  return firstLineEnd === -1 ? `${out}${hoisted.join("")}` : `${out.slice(0, firstLineEnd)}${hoisted.join("")}${out.slice(firstLineEnd)}`;
}

interface TransformOptions {
  readonly config?: { readonly cwd?: string };
}

/** The durabox preset's transform: TypeScript and ES modules to CommonJS with esbuild, with source maps. */
const transformer = {
  canInstrument: false,
  getCacheKey(source: string, file: string): string {
    return createHash("sha256").update(VERSION).update(file).update("\0").update(source).digest("hex");
  },
  process(source: string, file: string, _options?: TransformOptions): { code: string; map: string } {
    const result = transformSync(source, {
      loader: LOADERS[path.extname(file)] ?? "js",
      format: "cjs",
      target: "node20",
      sourcemap: "external",
      sourcefile: file,
      sourcesContent: true,
      // import.meta.url in ES module sources: their file's URL.
      define: { "import.meta.url": JSON.stringify(`file://${file}`) },
      logLevel: "silent",
    });
    return { code: hoistJestCalls(result.code), map: result.map };
  },
};

export default transformer;
