// The runtimes under test, loaded by name: durabox and Miniflare 2 (both expose the Miniflare 2 API), and
// the floor, no runtime at all (workloads given it do the same work on what a runtime would stand on).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { PEERS_DIR } from "./peer.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** bench/run.mjs copies dist/ here and names the copy's entry in this variable for its children. */
export const DIST_SNAPSHOT = path.join(ROOT, "bench", ".dist");
export const DURABOX_ENTRY_ENV = "DURABOX_BENCH_ENTRY";

export const RUNTIMES = {
  durabox: {
    label: "durabox",
    // durabox runs modules natively; no Node flags.
    nodeFlags: [],
    // The snapshot bench/run.mjs made, else dist/ itself (a child run by hand).
    entry: () => pathToFileURL(process.env[DURABOX_ENTRY_ENV] ?? path.join(ROOT, "dist", "index.js")).href,
    load: async () => (await import(RUNTIMES.durabox.entry())).Durabox,
  },
  miniflare: {
    label: "Miniflare 2",
    // Miniflare 2 runs `modules: true` scripts with node:vm's SourceTextModule.
    nodeFlags: ["--experimental-vm-modules"],
    entry: () => pathToFileURL(createRequire(path.join(PEERS_DIR, "package.json")).resolve("miniflare")).href,
    load: async () => (await import(RUNTIMES.miniflare.entry())).Miniflare,
  },
  floor: {
    label: "floor",
    nodeFlags: [],
    load: async () => undefined,
  },
};

/**
 * The TestRuntime the test environments drive, from the same build as RUNTIMES.durabox:
 * durabox/testing-runtime (durabox/testing in builds before that entry existed).
 */
export async function loadTestRuntime() {
  const dist = path.dirname(fileURLToPath(RUNTIMES.durabox.entry()));
  const file = ["testing-runtime.js", "testing.js"].map((name) => path.join(dist, name)).find((f) => existsSync(f));
  return (await import(pathToFileURL(file).href)).TestRuntime;
}
