import { nodeRequire } from "../base/node-require.js";

type Lexer = typeof import("es-module-lexer");
let lexer: Lexer | undefined;
let ready: Promise<void> | undefined;

/**
 * es-module-lexer, loaded on first use (through require: its CommonJS build
 * skips the ESM loader's scan), with its WebAssembly compiled: a runtime
 * whose worker code a test runner loads never needs it.
 */
export function lexerReady(): Promise<void> {
  return (ready ??= (lexer = nodeRequire("es-module-lexer") as Lexer).init());
}

function parse(source: string): ReturnType<Lexer["parse"]> {
  if (lexer === undefined) throw new Error("durabox: await lexerReady() before moduleToFunctionBody()");
  return lexer.parse(source);
}

/** Names the transformed body expects as parameters. */
export const MODULE_PARAMS = ["__durabox_exports", "__durabox_import", "__durabox_dynamic_import", "__durabox_import_meta"] as const;

export interface ModuleBody {
  /** A function body: the module's code with imports and exports rewritten. */
  readonly body: string;
  /** Specifiers the module imports statically, in order. */
  readonly imports: readonly string[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const IDENT = String.raw`[A-Za-z_$][\w$]*`;
const CLAUSE = new RegExp(String.raw`^import\s*(?:(${IDENT})\s*(?:,\s*)?)?(?:\*\s*as\s+(${IDENT})|\{([^}]*)\})?\s*(?:from\s*)?["']`);

/** `a as b, c` (an import or export list) as [imported, local] pairs. */
function parseList(list: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const part of list.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const match = new RegExp(String.raw`^(${IDENT}|default)(?:\s+as\s+(${IDENT}|default))?$`).exec(item);
    if (match === null) return undefined;
    pairs.push([match[1]!, match[2] ?? match[1]!]);
  }
  return pairs;
}

/** Keeps line numbers: a replacement spans as many lines as what it replaces. */
function sameLines(original: string, text: string): string {
  const lines = original.split("\n").length - 1;
  return text + "\n".repeat(Math.max(0, lines - (text.split("\n").length - 1)));
}

/**
 * Rewrites an ES module into the body of a plain function, so it can run with
 * `vm.compileFunction` in this realm without Node's experimental VM modules:
 * `import ... from "x"` becomes `const ... = __durabox_import("x")`, exports
 * become getters on `__durabox_exports` (live, like ES bindings). Line numbers
 * are kept, so source maps and stack traces still point at the right lines.
 * Returns undefined for what it does not handle (TypeScript's `import type`,
 * import attributes): the caller then lets esbuild bundle the code instead.
 */
export function moduleToFunctionBody(source: string): ModuleBody | undefined {
  let imports: ReturnType<typeof parse>[0];
  let exports: ReturnType<typeof parse>[1];
  try {
    [imports, exports] = parse(source);
  } catch {
    return undefined;
  }
  const edits: Edit[] = [];
  const getters: string[] = [];
  const specifiers: string[] = [];
  const reexportStatements = new Set<number>();
  let temp = 0;

  for (const entry of exports) {
    if (entry.typeOnly) return undefined;
    if (entry.type === "reexport" || entry.type === "reexport-all") reexportStatements.add(entry.exportStart);
  }

  for (const entry of imports) {
    if (entry.type === "import-meta") {
      edits.push({ start: entry.importStart, end: entry.importEnd, text: "__durabox_import_meta" });
      continue;
    }
    if (entry.type === "dynamic") {
      edits.push({ start: entry.importStart, end: entry.dynamicStart, text: "__durabox_dynamic_import" });
      continue;
    }
    if (entry.typeOnly || entry.attributes !== null) return undefined;
    if (entry.specifier === null || reexportStatements.has(entry.importStart)) continue;
    specifiers.push(entry.specifier);
    const statement = source.slice(entry.importStart, entry.importEnd);
    const match = CLAUSE.exec(statement);
    if (match === null) return undefined;
    const [, defaultName, namespaceName, namedList] = match;
    const call = `__durabox_import(${JSON.stringify(entry.specifier)})`;
    let text: string;
    if (defaultName === undefined && namespaceName === undefined && namedList === undefined) {
      text = `${call};`;
    } else {
      const name = `__durabox_m${temp++}`;
      const parts = [`const ${name} = ${call};`];
      if (defaultName !== undefined) parts.push(`const ${defaultName} = ${name}.default;`);
      if (namespaceName !== undefined) parts.push(`const ${namespaceName} = ${name};`);
      if (namedList !== undefined) {
        const pairs = parseList(namedList);
        if (pairs === undefined) return undefined;
        if (pairs.length > 0) parts.push(`const { ${pairs.map(([from, to]) => `${from}: ${to}`).join(", ")} } = ${name};`);
      }
      text = parts.join(" ");
    }
    edits.push({ start: entry.importStart, end: entry.importEnd, text: sameLines(statement, text) });
  }

  const handledStatements = new Set<number>();
  for (const entry of exports) {
    const at = entry.exportStart;
    const afterExport = source.slice(at + "export".length).trimStart();
    if (entry.type === "reexport-all" || entry.type === "reexport") {
      const from = JSON.stringify(entry.from);
      const moduleName = `__durabox_m${temp++}`;
      if (entry.type === "reexport-all") {
        getters.push(`...__durabox_star(${moduleName})`);
      } else {
        getters.push(
          `${JSON.stringify(entry.name)}: () => ${moduleName}${entry.importName === null ? "" : `[${JSON.stringify(entry.importName)}]`}`,
        );
      }
      specifiers.push(entry.from);
      const statementEnd = statementEndAfter(source, at);
      if (statementEnd === undefined) return undefined;
      edits.push({
        start: at,
        end: statementEnd,
        text: sameLines(source.slice(at, statementEnd), `const ${moduleName} = __durabox_import(${from});`),
      });
      continue;
    }
    if (afterExport.startsWith("{")) {
      // export { a as b }: the whole list goes; its names become getters.
      getters.push(`${JSON.stringify(entry.name)}: () => ${entry.localName}`);
      if (handledStatements.has(at)) continue;
      handledStatements.add(at);
      const statementEnd = statementEndAfter(source, at);
      if (statementEnd === undefined) return undefined;
      edits.push({ start: at, end: statementEnd, text: sameLines(source.slice(at, statementEnd), "") });
      continue;
    }
    if (entry.name === "default" && entry.localStart === -1) {
      // export default <expression>
      edits.push({ start: at, end: entry.end, text: "const __durabox_default =" });
      getters.push(DEFAULT_EXPRESSION_GETTER);
      continue;
    }
    getters.push(`${JSON.stringify(entry.name)}: () => ${entry.localName}`);
    if (handledStatements.has(at)) continue;
    handledStatements.add(at);
    // export class/function/const ... and export default class/function Name
    edits.push({ start: at, end: entry.name === "default" ? entry.end : at + "export".length, text: "" });
  }

  edits.sort((a, b) => b.start - a.start);
  let body = source;
  for (const edit of edits) body = body.slice(0, edit.start) + edit.text + body.slice(edit.end);
  // Exports are defined after the code, before a source map comment if any.
  // The module runs in a block: its top-level let/const/class may then reuse
  // the names of the function's parameters (Response, navigator, ...).
  const exportsCode =
    `\n;__durabox_define(__durabox_exports, { ${getters.join(", ")} });` +
    (getters.includes(DEFAULT_EXPRESSION_GETTER) ? DEFAULT_NAME_FIX : "") +
    "\n}\n";
  const mapComment = body.lastIndexOf("\n//# sourceMappingURL=");
  body = mapComment === -1 ? body + exportsCode : body.slice(0, mapComment) + exportsCode + body.slice(mapComment + 1);
  return { body: `"use strict";{${PRELUDE}${body}`, imports: specifiers };
}

const DEFAULT_EXPRESSION_GETTER = "default: () => __durabox_default";
/** `export default function () {}` is named "default" natively, not after our variable. */
const DEFAULT_NAME_FIX =
  'if (typeof __durabox_default === "function" && __durabox_default.name === "__durabox_default") Object.defineProperty(__durabox_default, "name", { value: "default" });';

/** Helpers the body uses, on its first line so no line moves. */
const PRELUDE =
  "const __durabox_define = (t, g) => { for (const k in g) Object.defineProperty(t, k, { enumerable: true, get: g[k] }); };" +
  'const __durabox_star = (m) => Object.fromEntries(Object.keys(m).filter((k) => k !== "default").map((k) => [k, () => m[k]]));';

/** The end of an `export { ... } [from "x"];` statement that starts at `start`. */
function statementEndAfter(source: string, start: number): number | undefined {
  const pattern = /export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})\s*(?:from\s*("[^"]*"|'[^']*'))?\s*;?/y;
  pattern.lastIndex = start;
  const match = pattern.exec(source);
  return match === null ? undefined : start + match[0].length;
}
