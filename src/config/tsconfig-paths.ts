import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "../base/path.js";
import { DuraboxError } from "../base/errors.js";
import { parseJsonc } from "./jsonc.js";

/** A tsconfig's `compilerOptions.paths`, with the directory its targets are relative to. */
interface TsconfigPaths {
  readonly base: string;
  readonly paths: Readonly<Record<string, readonly string[]>>;
}

/** Per directory: the nearest tsconfig's paths (undefined: none, or no paths). Read once per process. */
const byDirectory = new Map<string, TsconfigPaths | undefined>();

/**
 * The files a bare specifier maps to through the `paths` of the tsconfig.json
 * nearest `fromDirectory` (as TypeScript, esbuild and wrangler find it):
 * `extends` followed, targets relative to `baseUrl` or else to the tsconfig
 * declaring `paths`, the longest matching pattern first, `*` substituted.
 * Empty when nothing maps it, or the importer is a package's (under node_modules). The runner resolves each (extensions, index files).
 */
export function tsconfigPathCandidates(specifier: string, fromDirectory: string): string[] {
  if (specifier.startsWith(".") || path.isAbsolute(specifier)) return [];
  // A package's own tsconfig (often shipped, extending files not shipped) is not the project's: esbuild ignores it too.
  if (fromDirectory.split(/[\\/]/).includes("node_modules")) return [];
  const config = pathsFor(fromDirectory);
  if (config === undefined) return [];
  let best: { prefix: string; suffix: string; targets: readonly string[] } | undefined;
  for (const [pattern, targets] of Object.entries(config.paths)) {
    const star = pattern.indexOf("*");
    const prefix = star === -1 ? pattern : pattern.slice(0, star);
    const suffix = star === -1 ? "" : pattern.slice(star + 1);
    const matches =
      star === -1
        ? specifier === pattern
        : specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix);
    if (matches && (best === undefined || prefix.length > best.prefix.length)) best = { prefix, suffix, targets };
  }
  if (best === undefined) return [];
  const captured = specifier.slice(best.prefix.length, specifier.length - best.suffix.length);
  return best.targets.map((target) => path.resolve(config.base, target.replace("*", captured)));
}

function pathsFor(directory: string): TsconfigPaths | undefined {
  if (byDirectory.has(directory)) return byDirectory.get(directory);
  const file = path.join(directory, "tsconfig.json");
  const parent = path.dirname(directory);
  const found = existsSync(file) ? readPaths(file, new Set()) : parent === directory ? undefined : pathsFor(parent);
  byDirectory.set(directory, found);
  return found;
}

/** `paths` and `baseUrl` of `file`, or inherited through its `extends` (nearer settings win). */
function readPaths(file: string, seen: Set<string>): TsconfigPaths | undefined {
  if (seen.has(file)) throw tsconfigError(file, "its `extends` chain comes back to itself.");
  seen.add(file);
  const config = parse(file);
  const dir = path.dirname(file);
  const options = (config.compilerOptions ?? {}) as Record<string, unknown>;
  const bases = config.extends === undefined ? [] : Array.isArray(config.extends) ? config.extends : [config.extends];
  let inherited: TsconfigPaths | undefined;
  let inheritedBaseUrl: string | undefined;
  for (const base of bases) {
    if (typeof base !== "string") throw tsconfigError(file, "`extends` must be a path or an array of paths.");
    const parentFile = resolveExtends(base, dir, file);
    const parentPaths = readPaths(parentFile, seen);
    if (parentPaths !== undefined) inherited = parentPaths;
    const parentBaseUrl = baseUrlOf(parentFile);
    if (parentBaseUrl !== undefined) inheritedBaseUrl = parentBaseUrl;
  }
  const baseUrl = typeof options.baseUrl === "string" ? path.resolve(dir, options.baseUrl) : inheritedBaseUrl;
  if (options.paths !== undefined) {
    if (!isPaths(options.paths)) throw tsconfigError(file, "`compilerOptions.paths` must map patterns to arrays of paths.");
    return { base: baseUrl ?? dir, paths: options.paths };
  }
  return inherited && { base: baseUrl ?? inherited.base, paths: inherited.paths };
}

function baseUrlOf(file: string): string | undefined {
  const baseUrl = (parse(file).compilerOptions as Record<string, unknown> | undefined)?.baseUrl;
  return typeof baseUrl === "string" ? path.resolve(path.dirname(file), baseUrl) : undefined;
}

function resolveExtends(base: string, dir: string, file: string): string {
  if (base.startsWith(".") || path.isAbsolute(base)) {
    const target = path.resolve(dir, base);
    const candidate = existsSync(target) || target.endsWith(".json") ? target : `${target}.json`;
    if (!existsSync(candidate)) throw tsconfigError(file, `its \`extends\` names ${candidate}, which does not exist.`);
    return candidate;
  }
  const require = createRequire(file);
  for (const name of [base, `${base}.json`, `${base}/tsconfig.json`]) {
    try {
      return require.resolve(name);
    } catch {
      // Try the next form TypeScript accepts.
    }
  }
  throw tsconfigError(file, `its \`extends\` names the package path ${base}, which is not installed.`);
}

function parse(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw tsconfigError(file, `it cannot be read: ${(error as Error).message}`);
  }
  const value = parseJsonc(text, (message) => {
    throw tsconfigError(file, message);
  });
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw tsconfigError(file, "it must hold an object.");
  return value as Record<string, unknown>;
}

function isPaths(value: unknown): value is Record<string, string[]> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((targets) => Array.isArray(targets) && targets.every((t) => typeof t === "string"))
  );
}

function tsconfigError(file: string, problem: string): DuraboxError {
  return new DuraboxError("ERR_OPTIONS", `Could not read the path aliases of ${file}: ${problem}`);
}
