// A Jest or Vitest config written for Miniflare 2's environments
// (jest-environment-miniflare, vitest-environment-miniflare), rewritten for
// durabox: the environment's name, and the few Miniflare 2 options durabox
// names otherwise or has no use for in a test run. Every other option keeps
// its name (durabox's options are Miniflare's), and the text stays as written.
import {
  applyReplacements,
  enclosingBrace,
  identifierOffsets,
  literalProperties,
  removeProperties,
  scanSource,
  type LiteralProperty,
} from "./source-scan.js";
import type { Runner } from "./init-project.js";

/** The environment names Miniflare 2's packages answered to, per runner. */
const MINIFLARE_ENVIRONMENTS: Readonly<Record<Runner, readonly string[]>> = {
  jest: ["miniflare", "jest-environment-miniflare"],
  vitest: ["miniflare", "vitest-environment-miniflare"],
};
/** The config keys naming the environment and its options, per runner. */
const KEYS: Readonly<Record<Runner, { readonly environment: string; readonly options: string }>> = {
  jest: { environment: "testEnvironment", options: "testEnvironmentOptions" },
  vitest: { environment: "environment", options: "environmentOptions" },
};

/** Miniflare 2 options durabox has under another name. */
export const MINIFLARE2_RENAMED: Readonly<Record<string, string>> = { wranglerConfigEnv: "wranglerEnvironment" };

const BUILT_BY_DURABOX = "durabox bundles the worker itself (esbuild), so no build command runs";
const NO_SERVER = "tests call the worker in-process, with no server";
/** Miniflare 2 options with no meaning in a durabox test run, and why. */
export const MINIFLARE2_DROPPED: Readonly<Record<string, string>> = {
  buildCommand: BUILT_BY_DURABOX,
  buildBasePath: BUILT_BY_DURABOX,
  buildWatchPaths: BUILT_BY_DURABOX,
  watch: "the test runner's watch mode re-runs tests",
  port: NO_SERVER,
  host: NO_SERVER,
  updateCheck: "durabox never checks for updates",
};

/** What the migration changed in an options object, for the report. */
export type OptionNote = string;

const dropNote = (key: string): OptionNote => `dropped the option ${key}: ${MINIFLARE2_DROPPED[key]}`;
const renameNote = (key: string): OptionNote => `renamed the option ${key} to ${MINIFLARE2_RENAMED[key]}`;

/** Whether an environment name is Miniflare 2's for this runner. */
export const isMiniflareEnvironment = (runner: Runner, name: unknown): boolean =>
  typeof name === "string" && MINIFLARE_ENVIRONMENTS[runner].includes(name);

/** The environment properties of a JS config that name Miniflare 2's environment. */
function environmentProperties(text: string, runner: Runner): { property: LiteralProperty; open: number }[] {
  const source = scanSource(text);
  const key = KEYS[runner].environment;
  const found: { property: LiteralProperty; open: number }[] = [];
  for (const at of identifierOffsets(source, key)) {
    const open = enclosingBrace(source, at);
    const property =
      open < 0 ? undefined : literalProperties(source, open).find((candidate) => candidate.start === at && candidate.key === key);
    const value = property === undefined ? undefined : /^(["'])([^"']*)\1$/.exec(text.slice(property.valueStart, property.valueEnd));
    if (property !== undefined && value !== null && value !== undefined && isMiniflareEnvironment(runner, value[2]))
      found.push({ property, open });
  }
  return found;
}

/** Whether a Jest or Vitest config file (JavaScript or TypeScript) uses Miniflare 2's environment. */
export function usesMiniflareEnvironment(text: string, runner: Runner): boolean {
  return environmentProperties(text, runner).length > 0;
}

/** A JS config rewritten: the environment named durabox, its options renamed or dropped as durabox takes them. */
export function rewriteMiniflareConfig(text: string, runner: Runner): { text: string; notes: OptionNote[] } {
  const source = scanSource(text);
  const replacements: { start: number; end: number; text: string }[] = [];
  const notes: OptionNote[] = [];
  for (const { property, open } of environmentProperties(text, runner)) {
    const quote = text[property.valueStart]!;
    replacements.push({ start: property.valueStart, end: property.valueEnd, text: `${quote}durabox${quote}` });
    const options = literalProperties(source, open).find((candidate) => candidate.key === KEYS[runner].options);
    if (options === undefined || text[options.valueStart] !== "{") continue;
    for (const option of literalProperties(source, options.valueStart)) {
      if (option.key === undefined) continue;
      if (MINIFLARE2_RENAMED[option.key] !== undefined) {
        replacements.push({ start: option.start, end: option.keyEnd, text: MINIFLARE2_RENAMED[option.key]! });
        notes.push(renameNote(option.key));
      } else if (MINIFLARE2_DROPPED[option.key] !== undefined) {
        notes.push(dropNote(option.key));
      }
    }
    replacements.push(
      ...removeProperties(source, options.valueStart, (option) => option.key !== undefined && MINIFLARE2_DROPPED[option.key] !== undefined),
    );
  }
  return { text: applyReplacements(text, replacements), notes };
}

/** The `jest` key of package.json rewritten the same way (a JSON object, changed in place). */
export function rewriteMiniflareJestKey(jest: Record<string, unknown>): OptionNote[] {
  const notes: OptionNote[] = [];
  if (!isMiniflareEnvironment("jest", jest.testEnvironment)) return notes;
  jest.testEnvironment = "durabox";
  const options = jest.testEnvironmentOptions;
  if (typeof options !== "object" || options === null) return notes;
  const rewritten: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (MINIFLARE2_DROPPED[key] !== undefined) notes.push(dropNote(key));
    else if (MINIFLARE2_RENAMED[key] !== undefined) {
      rewritten[MINIFLARE2_RENAMED[key]] = value;
      notes.push(renameNote(key));
    } else rewritten[key] = value;
  }
  jest.testEnvironmentOptions = rewritten;
  return notes;
}
