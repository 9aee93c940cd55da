// Packs the three packages as they are published: `npm run pack` (after
// `npm run build`) writes durabox, jest-environment-durabox and
// vitest-environment-durabox tarballs into .pack/ (or --destination DIR) and
// prints their paths as JSON. Publish those tarballs (`npm publish
// .pack/durabox-<version>.tgz`), never the folders: each tarball's
// package.json is the repository's with what only the repository needs left
// out (scripts such as `prepare`, devDependencies, workspaces, overrides), and
// each carries its README and the LICENSE.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { drift } from "./version-sync.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PACKAGES = [".", "environments/jest", "environments/vitest"];

/** The manifest fields a consumer's npm and Node read; everything else stays in the repository. */
const PUBLISHED_FIELDS = [
  "name",
  "version",
  "description",
  "keywords",
  "license",
  "repository",
  "homepage",
  "type",
  "engines",
  "main",
  "types",
  "exports",
  "bin",
  "files",
  "dependencies",
  "peerDependencies",
  "peerDependenciesMeta",
];

/**
 * The pages README.md links to, shipped beside it so its relative links
 * resolve in the installed package (the root package's README only; the
 * environments' READMEs link with absolute URLs). The manifest has no
 * `repository` to point absolute links at.
 */
const LINKED_PAGES = { ".": ["docs", "CONTRIBUTING.md", "bench/RESULTS.md"] };

/** The package.json a consumer gets. */
export function publishedManifest(manifest) {
  const published = Object.fromEntries(PUBLISHED_FIELDS.filter((field) => field in manifest).map((field) => [field, manifest[field]]));
  for (const [name, range] of Object.entries(published.dependencies ?? {})) {
    if (/^(file|link|workspace):/.test(range)) {
      throw new Error(`${manifest.name}: dependency ${name} is "${range}", which a consumer cannot install; give it a version range.`);
    }
  }
  return published;
}

/** Copies one package's published files into a staging folder and packs it there; returns its name and the tarball's path. */
function packOne(dir, destination) {
  const source = path.join(root, dir);
  const manifest = JSON.parse(readFileSync(path.join(source, "package.json"), "utf8"));
  const stage = path.join(destination, "stage", manifest.name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const entry of manifest.files ?? []) {
    if (!existsSync(path.join(source, entry)))
      throw new Error(`${manifest.name}: "${entry}" (in files) is missing; run npm run build first.`);
    cpSync(path.join(source, entry), path.join(stage, entry), { recursive: true });
  }
  copyFileSync(path.join(source, "README.md"), path.join(stage, "README.md"));
  copyFileSync(path.join(root, "LICENSE"), path.join(stage, "LICENSE"));
  const pages = LINKED_PAGES[dir] ?? [];
  for (const page of pages) cpSync(path.join(source, page), path.join(stage, page), { recursive: true });
  const published = publishedManifest(manifest);
  if (pages.length > 0) published.files = [...(published.files ?? []), ...pages];
  writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const output = execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", destination], {
    cwd: stage,
    encoding: "utf8",
  });
  const [{ filename }] = JSON.parse(output);
  return [manifest.name, path.join(destination, filename)];
}

/** Packs all three; refuses when the packages' versions have drifted apart (npm run version:sync). */
export function packAll(destination) {
  const drifted = drift();
  if (drifted.length > 0) throw new Error(`Versions out of step (run npm run version:sync):\n${drifted.join("\n")}`);
  mkdirSync(destination, { recursive: true });
  return Object.fromEntries(PACKAGES.map((dir) => packOne(dir, destination)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { destination: { type: "string" } } });
  try {
    console.log(JSON.stringify(packAll(path.resolve(values.destination ?? path.join(root, ".pack"))), null, 2));
  } catch (error) {
    console.error(`pack: ${error.message}`);
    process.exitCode = 1;
  }
}
