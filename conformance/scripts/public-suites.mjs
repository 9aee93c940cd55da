// Runs public test suites written for @cloudflare/vitest-plugin on the plugin
// (workerd) and on durabox, the second after the README's migration: the
// config's `cloudflareTest` from "@cloudflare/vitest-plugin" becomes `durabox`
// from "vitest-environment-durabox/config", nothing else. Prints a row of
// RESULTS.md's table per suite and the tests whose outcome differs.
//
// The suites' code is never committed: each is extracted from a git
// repository (the search tool's `fetch` leaves one at
// /work/.mirror/<owner>+<name>/repo; --git owner/name=DIR names another) into
// .suites/ (git-ignored). The plugin, Vitest 5 and Node 24 are conformance/'s
// own packages; durabox is built, packed and installed first (--no-install: as it is).
//
//   node scripts/public-suites.mjs [--only NAME] [--git owner/name=DIR] [--no-install]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureInstalled, here, installDurabox, ownNode, ownVitest } from "./lib/install.mjs";
import { compare, counts, readReport } from "./lib/outcomes.mjs";

const node = ownNode;
const vitest = ownVitest;

const WORKERS_SDK = { repo: "cloudflare/workers-sdk", commit: "f8308360283f97d33e188aee2e19c1ef9c09524a" };
const example = (name) => ({
  ...WORKERS_SDK,
  name: `workers-sdk/${name}`,
  // The examples' configs merge the repository's vitest.shared.ts (timeouts, retry: 1);
  // their tsconfig.json files extend the examples' shared ones (Vite's transform reads them).
  paths: [
    "vitest.shared.ts",
    ...["tsconfig.node.json", "tsconfig.workerd.json", "tsconfig.workerd-test.json"].map(
      (file) => `fixtures/vitest-plugin-examples/${file}`,
    ),
    `fixtures/vitest-plugin-examples/${name}`,
  ],
  project: `fixtures/vitest-plugin-examples/${name}`,
  config: "vitest.config.ts",
});

/** The suites: Cloudflare's own examples for the plugin that use Durable Objects and bindings. */
const SUITES = [example("durable-objects"), example("durable-objects-exports"), example("rpc"), example("reset"), example("kv-r2-caches")];

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    git: { type: "string", multiple: true, default: [] },
    "no-install": { type: "boolean", default: false },
  },
});
const gitDirs = Object.fromEntries(values.git.map((pair) => pair.split("=")));

function gitDir(repo) {
  const dir = gitDirs[repo] ?? `/work/.mirror/${repo.replace("/", "+")}/repo`;
  if (!existsSync(dir)) throw new Error(`${repo}: no git repository at ${dir}; fetch it first or pass --git ${repo}=DIR.`);
  return dir;
}

/** Extracts the suite's paths at its commit into .suites/<name>; returns the project folder. */
function extract(suite) {
  const target = path.join(here, ".suites", suite.name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const archive = execFileSync("git", ["--git-dir", gitDir(suite.repo), "archive", suite.commit, ...suite.paths], {
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", target], { input: archive });
  return path.join(target, suite.project);
}

/** The migration section's one change, applied to the suite's config. */
function durableConfig(project, config) {
  const source = readFileSync(path.join(project, config), "utf8");
  if (!source.includes('"@cloudflare/vitest-plugin"')) throw new Error(`${config} does not import @cloudflare/vitest-plugin`);
  const migrated = source
    .replace('"@cloudflare/vitest-plugin"', '"vitest-environment-durabox/config"')
    .replace(/\bcloudflareTest\b/g, "durabox");
  const name = config.replace(/(\.[cm]?[jt]s)$/, ".durabox$1");
  writeFileSync(path.join(project, name), migrated);
  return name;
}

function run(project, config, report) {
  rmSync(report, { force: true });
  try {
    execFileSync("nice", ["-n", "10", node, vitest, "run", "--config", config, "--reporter=json", `--outputFile=${report}`], {
      cwd: project,
      stdio: ["ignore", "ignore", "ignore"],
      env: { ...process.env, CI: "true", FORCE_COLOR: "0" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    // A failing run still writes its report; a missing report is reported below.
  }
  return readReport(report, project);
}

const log = (line) => console.error(line);
ensureInstalled(log);
if (!values["no-install"]) installDurabox(log);
const results = path.join(here, ".results");
mkdirSync(results, { recursive: true });
console.log("| suite | commit | tests | pass on workerd | pass on durabox | differing tests |");
console.log("|---|---|---|---|---|---|");
const details = [];
for (const suite of SUITES.filter((entry) => !values.only || entry.name === values.only)) {
  const project = extract(suite);
  const slug = suite.name.replace(/\W+/g, "-");
  const workerd = run(project, suite.config, path.join(results, `public-${slug}-workerd.json`));
  const durabox = run(project, durableConfig(project, suite.config), path.join(results, `public-${slug}-durabox.json`));
  const { unknown } = compare(workerd.outcomes, durabox.outcomes, {});
  const total = Object.keys(workerd.outcomes).length;
  console.log(
    `| ${suite.name} | ${suite.commit.slice(0, 10)} | ${total} | ${counts(workerd.outcomes).passed}${workerd.missing ? " (no report)" : ""} | ${counts(durabox.outcomes).passed}${durabox.missing ? " (no report)" : ""} | ${unknown.length} |`,
  );
  for (const difference of unknown) {
    details.push(`${suite.name}: ${difference.id}: workerd ${difference.expected}, durabox ${difference.actual}`);
    const error = durabox.errors[difference.id] ?? workerd.errors[difference.id];
    if (error) details.push(`    ${error}`);
  }
}
if (details.length > 0) console.log(`\n${details.join("\n")}`);
