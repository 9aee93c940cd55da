// Builds dist/: type declarations with tsc, and the JavaScript as one
// bundled file per entry with esbuild (Node's ESM loader pays per file, so
// one file imports in about half the time of the ~50 compiled modules).
import { execFileSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--emitDeclarationOnly"], {
  stdio: "inherit",
});

const shared = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies stay imports: users dedupe and update them.
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
};
await build({ ...shared, entryPoints: { index: "src/index.ts" }, outdir: "dist" });
await build({ ...shared, entryPoints: { "cli/main": "src/cli/main.ts" }, outdir: "dist", banner: { js: "#!/usr/bin/env node" } });
chmodSync("dist/cli/main.js", 0o755);
