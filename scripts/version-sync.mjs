// Keeps the environment packages in step with durabox: `npm run version:sync`
// gives each the root package's version and makes it depend on durabox by
// `^<that version>` (in the repository, npm's workspaces still link the local
// durabox, which satisfies the range). `--check` changes nothing and exits 1
// naming what drifted (test/package/release.test.ts runs it).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENVIRONMENTS = ["environments/jest", "environments/vitest"];

const read = (dir) => JSON.parse(readFileSync(path.join(root, dir, "package.json"), "utf8"));

/** What each environment package's manifest should say, given durabox's version. */
function expected(version) {
  return { version, durabox: `^${version}` };
}

/** The drifted fields, one line each ("environments/jest: version is 0.1.0, expected 0.2.0"); empty when in step. */
export function drift() {
  const want = expected(read(".").version);
  return ENVIRONMENTS.flatMap((dir) => {
    const manifest = read(dir);
    const lines = [];
    if (manifest.version !== want.version) lines.push(`${dir}: version is ${manifest.version}, expected ${want.version}`);
    const range = manifest.dependencies?.durabox;
    if (range !== want.durabox) lines.push(`${dir}: dependency durabox is "${range}", expected "${want.durabox}"`);
    return lines;
  });
}

/** Rewrites the environment packages' manifests to durabox's version; returns the folders changed. */
export function sync() {
  const want = expected(read(".").version);
  const changed = [];
  for (const dir of ENVIRONMENTS) {
    const manifest = read(dir);
    if (manifest.version === want.version && manifest.dependencies?.durabox === want.durabox) continue;
    manifest.version = want.version;
    manifest.dependencies = { ...manifest.dependencies, durabox: want.durabox };
    writeFileSync(path.join(root, dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    changed.push(dir);
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const drifted = drift();
    for (const line of drifted) console.error(line);
    if (drifted.length > 0) {
      console.error("Run npm run version:sync.");
      process.exitCode = 1;
    }
  } else {
    const changed = sync();
    console.log(
      changed.length === 0 ? "version-sync: in step" : `version-sync: updated ${changed.join(", ")} (run npm install to update the lock)`,
    );
  }
}
