// A Vitest config written for Cloudflare's integration, rewritten for durabox:
// `cloudflareTest(options)` (@cloudflare/vitest-plugin 1.x) becomes
// `durabox(options)`; `defineWorkersConfig`/`defineWorkersProject` (the pool,
// 0.x) become Vitest's `defineConfig`/`defineProject`, their
// `test.poolOptions.workers` moving into `plugins: [durabox(...)]`. Options are
// moved as written (durabox takes both tools' option schemas), so comments,
// expressions and layout stay.
import { DuraboxError } from "../base/errors.js";
import { importLine, namedImports, type ImportDeclaration, type ImportedName } from "./config-imports.js";
import {
  applyReplacements,
  enclosingBrace,
  identifierOffsets,
  literalProperties,
  matchingBracket,
  nextCode,
  removeProperties,
  scanSource,
  type LiteralProperty,
  type ScannedSource,
} from "./source-scan.js";

export type CloudflareShape = "plugin" | "pool";

/** The modules a Cloudflare Vitest config imports from, and which shape each means. */
export const CLOUDFLARE_CONFIG_MODULES: Readonly<Record<string, CloudflareShape>> = {
  "@cloudflare/vitest-plugin": "plugin",
  "@cloudflare/vitest-pool-workers/config": "pool",
  "@cloudflare/vitest-pool-workers": "pool",
};

/** Each name those modules export to a config, and its durabox (or Vitest) counterpart. */
const COUNTERPARTS: Readonly<Record<string, { readonly module: string; readonly name: string }>> = {
  cloudflareTest: { module: "vitest-environment-durabox/config", name: "durabox" },
  defineWorkersConfig: { module: "vitest/config", name: "defineConfig" },
  defineWorkersProject: { module: "vitest/config", name: "defineProject" },
  readD1Migrations: { module: "durabox", name: "readD1Migrations" },
};
const DURABOX_PLUGIN = COUNTERPARTS.cloudflareTest!;

interface Replacement {
  start: number;
  end: number;
  text: string;
}

const fail = (file: string, message: string): never => {
  throw new DuraboxError("ERR_OPTIONS", `durabox init cannot rewrite ${file}: ${message} Rewrite it by hand as docs/migrating.md shows.`);
};

/** Which Cloudflare integration the config uses, if any. */
export function cloudflareShape(text: string): CloudflareShape | undefined {
  const source = scanSource(text);
  for (const declaration of namedImports(source)) {
    const shape = CLOUDFLARE_CONFIG_MODULES[declaration.module];
    if (shape !== undefined) return shape;
  }
  return undefined;
}

function cloudflareImports(file: string, source: ScannedSource): ImportDeclaration[] {
  const declarations = namedImports(source).filter((declaration) => CLOUDFLARE_CONFIG_MODULES[declaration.module] !== undefined);
  for (const { module, names } of declarations) {
    for (const { imported } of names) {
      if (COUNTERPARTS[imported] === undefined) {
        fail(
          file,
          `it imports ${imported} from "${module}", which has no durabox counterpart (known: ${Object.keys(COUNTERPARTS).join(", ")}).`,
        );
      }
    }
  }
  return declarations;
}

/** Each `poolOptions: { workers: ... }` of the config, with what holds it. */
interface PoolOptionsSite {
  readonly workers: LiteralProperty;
  readonly poolOptions: LiteralProperty;
  readonly testOpen: number;
  readonly configOpen: number;
}

function poolOptionsSites(file: string, source: ScannedSource): PoolOptionsSite[] {
  const sites: PoolOptionsSite[] = [];
  for (const at of identifierOffsets(source, "poolOptions")) {
    const testOpen = enclosingBrace(source, at);
    if (testOpen < 0) continue;
    const poolOptions = literalProperties(source, testOpen).find((property) => property.start === at);
    if (poolOptions?.key !== "poolOptions") continue;
    if (source.text[poolOptions.valueStart] !== "{") fail(file, "its test.poolOptions is not an object literal.");
    const workers = literalProperties(source, poolOptions.valueStart).find((property) => property.key === "workers");
    if (workers === undefined) continue;
    const configOpen = enclosingBrace(source, testOpen);
    const test = configOpen < 0 ? undefined : literalProperties(source, configOpen).find((property) => property.valueStart === testOpen);
    if (test?.key !== "test") fail(file, "its poolOptions is not under the config's `test`.");
    sites.push({ workers, poolOptions, testOpen, configOpen });
  }
  return sites;
}

/** The text of `poolOptions.workers`: options durabox() takes; a function returning them is not that. */
function workersOptions(file: string, source: ScannedSource, workers: LiteralProperty): string {
  const text = source.text.slice(workers.valueStart, workers.valueEnd);
  if (/^(async\b|function\b|\()/.test(text)) {
    fail(file, "its poolOptions.workers is a function; durabox() takes the options themselves (call it with what the function returns).");
  }
  return text;
}

/** The indentation of the line `at` is on. */
const indentAt = (text: string, at: number): string => /[ \t]*$/.exec(text.slice(text.lastIndexOf("\n", at - 1) + 1, at))![0];

/**
 * An expression moved to a line indented `to`: its later lines shifted alike,
 * taking its last line (an object's closing brace) as where it was indented.
 */
export function reindent(text: string, to: string): string {
  const lines = text.split("\n");
  const from = /^[ \t]*/.exec(lines[lines.length - 1]!)![0];
  return lines.map((line, i) => (i > 0 && line.startsWith(from) ? to + line.slice(from.length) : line)).join("\n");
}

/** Moves one `test.poolOptions.workers` into the config's `plugins`. */
function movePoolOptions(file: string, source: ScannedSource, site: PoolOptionsSite, plugin: string): Replacement[] {
  const configProperties = literalProperties(source, site.configOpen);
  const plugins = configProperties.find((property) => property.key === "plugins");
  const first = configProperties[0];
  const at = first?.start ?? site.configOpen + 1;
  const options = reindent(workersOptions(file, source, site.workers), indentAt(source.text, plugins?.start ?? at));
  const call = `${plugin}(${options})`;
  const testProperties = literalProperties(source, site.testOpen);
  // The pool names itself as test.pool; durabox runs in Vitest's own pools.
  const isPool = (property: LiteralProperty): boolean =>
    property.key === "pool" && /vitest-pool-workers/.test(source.text.slice(property.valueStart, property.valueEnd));
  const onlyWorkers = literalProperties(source, site.poolOptions.valueStart).length === 1;
  const leaves = (property: LiteralProperty): boolean => isPool(property) || (onlyWorkers && property.start === site.poolOptions.start);
  const replacements: Replacement[] = testProperties.every(leaves)
    ? removeProperties(source, site.configOpen, (property) => property.valueStart === site.testOpen)
    : [
        ...removeProperties(source, site.testOpen, leaves),
        ...(onlyWorkers ? [] : removeProperties(source, site.poolOptions.valueStart, (property) => property.start === site.workers.start)),
      ];
  if (plugins !== undefined && source.text[plugins.valueStart] === "[") {
    replacements.push({ start: plugins.valueStart + 1, end: plugins.valueStart + 1, text: `${call}, ` });
  } else if (plugins !== undefined) {
    fail(file, "its plugins is not an array literal.");
  } else {
    const onItsOwnLine = first !== undefined && source.text.slice(site.configOpen + 1, first.start).includes("\n");
    replacements.push({
      start: at,
      end: at,
      text: onItsOwnLine ? `plugins: [${call}],\n${indentAt(source.text, at)}` : `plugins: [${call}], `,
    });
  }
  return replacements;
}

/** The imports the rewritten config needs, merged into its existing imports of the same modules. */
function importReplacements(
  source: ScannedSource,
  cloudflare: readonly ImportDeclaration[],
  extra: readonly ImportedName[],
): Replacement[] {
  const wanted = new Map<string, ImportedName[]>();
  const want = (module: string, name: ImportedName): void => {
    const list = wanted.get(module) ?? [];
    if (!list.some((known) => known.local === name.local)) list.push(name);
    wanted.set(module, list);
  };
  for (const { names } of cloudflare) {
    for (const { imported, local, typeOnly } of names) {
      const { module, name } = COUNTERPARTS[imported]!;
      want(module, { imported: name, local: local === imported ? name : local, typeOnly });
    }
  }
  for (const name of extra) want(DURABOX_PLUGIN.module, name);
  const replacements: Replacement[] = [];
  const others = namedImports(source).filter((declaration) => !cloudflare.includes(declaration));
  let added = "";
  for (const [module, names] of wanted) {
    const existing = others.find((declaration) => declaration.module === module && declaration.names.every((name) => !name.typeOnly));
    if (existing === undefined) {
      added += importLine(module, names);
      continue;
    }
    const missing = names.filter((name) => !existing.names.some((known) => known.local === name.local));
    if (missing.length > 0)
      replacements.push({ start: existing.start, end: existing.end, text: importLine(module, [...existing.names, ...missing]) });
  }
  cloudflare.forEach((declaration, i) => replacements.push({ start: declaration.start, end: declaration.end, text: i === 0 ? added : "" }));
  return replacements;
}

/** The config rewritten for the durabox() plugin. */
export function rewriteCloudflareConfig(file: string, text: string): string {
  const source = scanSource(text);
  const cloudflare = cloudflareImports(file, source);
  const replacements: Replacement[] = [];
  const inImports = (at: number): boolean => cloudflare.some((declaration) => at >= declaration.start && at < declaration.end);
  for (const { names } of cloudflare) {
    for (const { imported, local } of names) {
      if (local !== imported) continue;
      const name = COUNTERPARTS[imported]!.name;
      for (const at of identifierOffsets(source, local))
        if (!inImports(at)) replacements.push({ start: at, end: at + local.length, text: name });
    }
  }
  const usesPool = cloudflare.some(({ module }) => CLOUDFLARE_CONFIG_MODULES[module] === "pool");
  const plugin =
    cloudflare.flatMap(({ names }) => names).find(({ imported }) => imported === "cloudflareTest")?.local ?? DURABOX_PLUGIN.name;
  const sites = usesPool ? poolOptionsSites(file, source) : [];
  if (usesPool && sites.length === 0) fail(file, "it imports the pool but has no test.poolOptions.workers to move into durabox().");
  for (const site of sites) replacements.push(...movePoolOptions(file, source, site, plugin));
  const extra = sites.length > 0 && plugin === DURABOX_PLUGIN.name ? [{ imported: plugin, local: plugin, typeOnly: false }] : [];
  return applyReplacements(text, [...replacements, ...importReplacements(source, cloudflare, extra)]);
}

/** The options a Cloudflare config gives its integration, as text: what Jest's testEnvironmentOptions takes. */
export function cloudflareOptionsText(file: string, text: string): string {
  const source = scanSource(text);
  const cloudflare = cloudflareImports(file, source);
  if (cloudflare.some(({ module }) => CLOUDFLARE_CONFIG_MODULES[module] === "pool")) {
    const sites = poolOptionsSites(file, source);
    if (sites.length !== 1) fail(file, `a Jest config takes one set of options, and it has ${sites.length} test.poolOptions.workers.`);
    return workersOptions(file, source, sites[0]!.workers);
  }
  const local = cloudflare.flatMap(({ names }) => names).find(({ imported }) => imported === "cloudflareTest")?.local ?? "cloudflareTest";
  const calls = identifierOffsets(source, local)
    .map((at) => nextCode(source, at + local.length))
    .filter((open) => open >= 0 && source.text[open] === "(");
  if (calls.length !== 1) fail(file, `a Jest config takes one set of options, and it calls ${local}() ${calls.length} times.`);
  const options = source.text.slice(calls[0]! + 1, matchingBracket(source, calls[0]!)).trim();
  return options === "" ? "{}" : options;
}
