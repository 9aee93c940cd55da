// The two runtimes under test, loaded by name. Both expose the Miniflare 2 API.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { PEERS_DIR } from "./peer.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const RUNTIMES = {
  durabox: {
    label: "durabox",
    // durabox runs modules natively; no Node flags.
    nodeFlags: [],
    entry: () => pathToFileURL(path.join(ROOT, "dist", "index.js")).href,
    load: async () => (await import(RUNTIMES.durabox.entry())).Durabox,
  },
  miniflare: {
    label: "Miniflare 2",
    // Miniflare 2 runs `modules: true` scripts with node:vm's SourceTextModule.
    nodeFlags: ["--experimental-vm-modules"],
    entry: () => pathToFileURL(createRequire(path.join(PEERS_DIR, "package.json")).resolve("miniflare")).href,
    load: async () => (await import(RUNTIMES.miniflare.entry())).Miniflare,
  },
};
