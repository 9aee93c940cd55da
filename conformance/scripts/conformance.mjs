// `npm run conformance`: runs tests/ and the runner probes on workerd
// (@cloudflare/vitest-plugin) and on durabox (vitest-environment-durabox,
// installed from the tarballs `npm run pack` writes), then prints both counts
// and every test whose outcome differs. See conformance/README.md.
//
//   --side both|workerd|durabox   what to run (durabox alone compares with workerd-outcomes.json)
//   --update                      write workerd-outcomes.json from this run's workerd side
//   --no-install                  use the durabox packages already in node_modules
//   --node PATH, --vitest PATH, --config PATH   run the durabox side on another Node/Vitest/config
//                                 (test/conformance.test.ts: the root's Node and Vitest 4)
//   --workdir DIR                 run the durabox side on a copy of the suite in DIR: with another
//                                 Vitest, so that Vitest's own modules do not resolve from
//                                 conformance/node_modules (DIR must not be inside conformance/)
//   --prune                       remove the known differences that agree now from known-differences.json
//   --summary PATH                also write the result as JSON
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureInstalled, here, installDurabox, ownNode, ownVitest } from "./lib/install.mjs";
import { compare, counts } from "./lib/outcomes.mjs";
import { runSide } from "./lib/sides.mjs";

const recordedPath = path.join(here, "workerd-outcomes.json");
const knownPath = path.join(here, "known-differences.json");

const { values } = parseArgs({
  options: {
    side: { type: "string", default: "both" },
    update: { type: "boolean", default: false },
    "no-install": { type: "boolean", default: false },
    node: { type: "string" },
    vitest: { type: "string" },
    config: { type: "string" },
    summary: { type: "string" },
    workdir: { type: "string" },
    prune: { type: "boolean", default: false },
  },
});
if (!["both", "workerd", "durabox"].includes(values.side)) {
  throw new Error(`--side is "${values.side}"; use both, workerd or durabox.`);
}
if (values.update && values.side === "durabox") throw new Error("--update records workerd's outcomes; it needs --side both or workerd.");

const log = (line) => console.error(line);

const usesOwnToolchain = !values.node && !values.vitest;
if (values.side !== "durabox" || usesOwnToolchain) ensureInstalled(log);
const resultsDir = path.join(here, ".results");

let workerd;
if (values.side !== "durabox") {
  workerd = runSide({
    side: "workerd",
    node: ownNode,
    vitest: ownVitest,
    config: path.join(here, "vitest.workerd.config.ts"),
    root: here,
    resultsDir,
    log,
  });
  if (values.update) {
    const sorted = Object.fromEntries(Object.entries(workerd.outcomes).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(recordedPath, `${JSON.stringify(sorted, null, 2)}\n`);
    log(`wrote ${path.relative(process.cwd(), recordedPath)}`);
  }
}

/** The files the suite is made of: what --workdir copies. */
const SUITE_FILES = ["src", "tests", "probes", "wrangler.jsonc", ".dev.vars", "suite.mjs"];

function copySuite(directory) {
  if (path.relative(here, directory) === "" || !path.relative(here, directory).startsWith("..")) {
    throw new Error(`--workdir ${directory} is inside conformance/; Vitest would resolve its modules from conformance/node_modules.`);
  }
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  for (const file of SUITE_FILES) cpSync(path.join(here, file), path.join(directory, file), { recursive: true });
  return directory;
}

let durabox;
if (values.side !== "workerd") {
  if (usesOwnToolchain && !values["no-install"]) installDurabox(log);
  const root = values.workdir ? copySuite(path.resolve(values.workdir)) : here;
  durabox = runSide({
    side: "durabox",
    node: values.node ? path.resolve(values.node) : ownNode,
    vitest: values.vitest ? path.resolve(values.vitest) : ownVitest,
    config: path.resolve(values.config ?? path.join(here, "vitest.durabox.config.ts")),
    root,
    resultsDir,
    log,
  });
}

const reference = workerd?.outcomes ?? JSON.parse(readFileSync(recordedPath, "utf8"));
const known = JSON.parse(readFileSync(knownPath, "utf8"));
const line = (name, outcomes) => {
  const c = counts(outcomes);
  return `${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${Object.keys(outcomes).length} tests)`;
};
console.log(line(workerd ? "workerd" : "workerd (recorded)", reference));
if (workerd) {
  for (const [id, error] of Object.entries(workerd.errors)) console.log(`  workerd failed: ${id}\n      ${error}`);
}

let result = { reference: counts(reference) };
if (durabox) {
  console.log(line("durabox", durabox.outcomes));
  const { known: knownDifferences, unknown, stale } = compare(reference, durabox.outcomes, known);
  console.log(`differences: ${knownDifferences.length + unknown.length} (${unknown.length} not in known-differences.json)`);
  for (const difference of [...unknown, ...knownDifferences]) {
    const tag = difference.reason === null ? "NEW  " : "known";
    console.log(`  ${tag} ${difference.id}: workerd ${difference.expected}, durabox ${difference.actual}`);
    if (durabox.errors[difference.id]) console.log(`        durabox: ${durabox.errors[difference.id]}`);
    if (difference.reason) console.log(`        why: ${difference.reason}`);
  }
  for (const id of stale) console.log(`  agrees now (remove from known-differences.json): ${id}`);
  // An entry marked "(npm test setup only)" differs only on the root's Node and Vitest: kept.
  const prunable = stale.filter((id) => !known[id].includes("(npm test setup only)"));
  if (values.prune && prunable.length > 0) {
    const kept = Object.fromEntries(Object.entries(known).filter(([id]) => !prunable.includes(id)));
    writeFileSync(knownPath, `${JSON.stringify(kept, null, 2)}\n`);
    console.log(`removed ${prunable.length} from known-differences.json`);
  }
  result = { ...result, durabox: counts(durabox.outcomes), unknown, known: knownDifferences, stale, errors: durabox.errors };
  if (unknown.length > 0) process.exitCode = 1;
}
if (values.summary) writeFileSync(values.summary, `${JSON.stringify(result, null, 2)}\n`);
