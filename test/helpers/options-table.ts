import type { OptionDeclaration, OptionTable } from "../../src/options/declaration.js";
import { durableObjectBindingOptions, runtimeOptions, testOptions, workerOptions } from "../../src/options/declared.js";

/** Where the generated tables sit in docs/options.md. */
export const BEGIN =
  "<!-- options table: generated from src/options/declared.ts; update with: npx vitest run test/docs/options.test.ts -u -->";
export const END = "<!-- end of options table -->";

const cell = (text: string): string => text.replaceAll("|", "\\|");
const code = (text: string): string => `\`${text}\``;

function row(name: string, option: OptionDeclaration<unknown>): string {
  const cli = option.cli && [
    option.cli.short && code(`-${option.cli.short}`),
    code(`--${option.cli.name}${option.cli.value ? ` ${option.cli.value}` : ""}`),
  ];
  return `| ${[
    code(name),
    option.type.label + (option.required ? " (required)" : ""),
    option.default === undefined ? "" : code(JSON.stringify(option.default)),
    option.wrangler === undefined ? "" : code(option.wrangler),
    cli ? cli.filter(Boolean).join(", ") : "",
    option.doc,
  ]
    .map(cell)
    .join(" | ")} |`;
}

function table(options: OptionTable, nested: Record<string, { path: string; table: OptionTable }> = {}): string {
  const rows = Object.entries(options).flatMap(([name, option]) => {
    const inner = nested[name];
    return [row(name, option), ...(inner ? Object.entries(inner.table).map(([field, o]) => row(`${inner.path}.${field}`, o)) : [])];
  });
  return ["| option | type | default | wrangler key | CLI flag | meaning |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** docs/options.md's options section, from the declarations. */
export function renderOptionsTable(): string {
  return [
    BEGIN,
    "",
    "Per worker: at the top level (the entry worker), or in each entry of `workers`.",
    "",
    table(workerOptions, { durableObjects: { path: "durableObjects.BINDING", table: durableObjectBindingOptions } }),
    "",
    "For the whole runtime: at the top level only.",
    "",
    table(runtimeOptions),
    "",
    "In the test environments only (`testEnvironmentOptions`, `environmentOptions.durabox`, `durabox({...})`), beside all of the above.",
    "",
    table(testOptions),
    "",
    END,
  ].join("\n");
}

/** `page` with its options section replaced by `section`. */
export function withOptionsTable(page: string, section: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/options.md has no options section: put the two markers in it.\n${BEGIN}\n${END}`);
  return page.slice(0, begin) + section + page.slice(end + END.length);
}
