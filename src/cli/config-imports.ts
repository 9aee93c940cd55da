// The named imports of a config file (`import { a, b as c } from "module";`),
// found in code only, and the text that swaps them for other modules' names.
import type { ScannedSource } from "./source-scan.js";

export interface ImportedName {
  readonly imported: string;
  readonly local: string;
  /** `type` before the name, or the whole declaration is `import type`. */
  readonly typeOnly: boolean;
}

export interface ImportDeclaration {
  readonly module: string;
  readonly names: readonly ImportedName[];
  readonly start: number;
  /** After the declaration and its line break. */
  readonly end: number;
}

const IMPORT = /\bimport\s+(type\s+)?\{([^}]*)\}\s*from\s*(["'])([^"'\n]+)\3[ \t]*;?[ \t]*\r?\n?/g;

/** Every `import { ... } from "..."` of the file, in order. */
export function namedImports(source: ScannedSource): ImportDeclaration[] {
  const found: ImportDeclaration[] = [];
  for (const match of source.text.matchAll(IMPORT)) {
    if (!source.code[match.index]) continue;
    const wholeType = match[1] !== undefined;
    const names = match[2]!
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => {
        const typeOnly = wholeType || /^type\s/.test(part);
        const [imported, local] = part.replace(/^type\s+/, "").split(/\s+as\s+/);
        return { imported: imported!, local: local ?? imported!, typeOnly };
      });
    found.push({ module: match[4]!, names, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/** `import { a, b as c } from "module";` for the names (as `imported` or `imported as local`). */
export function importLine(module: string, names: readonly ImportedName[]): string {
  const specifiers = names.map(
    ({ imported, local, typeOnly }) => `${typeOnly ? "type " : ""}${imported === local ? imported : `${imported} as ${local}`}`,
  );
  return `import { ${specifiers.join(", ")} } from ${JSON.stringify(module)};\n`;
}
