// Builds dist/: type declarations with tsc, and the JavaScript as one
// bundled file per entry with esbuild (Node's ESM loader pays per file, so
// one file imports in about half the time of the ~60 compiled modules), in
// ESM and, for Jest, CommonJS. Then the environment packages.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--emitDeclarationOnly"], {
  stdio: "inherit",
});

pruneDeclarations("dist", [
  "index.d.ts",
  "testing/index.d.ts",
  "testing/runtime-entry.d.ts",
  "testing/load-runtime.d.ts",
  "options/entry.d.ts",
  "cloudflare-workers.d.ts",
  "cloudflare-test.d.ts",
  "cloudflare-workflows.d.ts",
]);

/**
 * Keeps only the declaration files the package's entries reach: internal
 * modules' types (backends, records, the object runtime) do not ship.
 */
function pruneDeclarations(root, entries) {
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)) {
      visit(path.join(path.dirname(file), specifier.replace(/\.js$/, ".d.ts")));
    }
  };
  for (const entry of entries) visit(path.join(root, entry));
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && file.endsWith(".d.ts") && !reached.has(file)) rmSync(file);
  }
  // Folders left empty (deepest first).
  const folders = readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const folder of folders.map((entry) => path.join(entry.parentPath, entry.name)).sort((a, b) => b.length - a.length)) {
    if (readdirSync(folder).length === 0) rmSync(folder, { recursive: true });
  }
}

const shared = {
  bundle: true,
  platform: "node",
  target: "node20",
  // Dependencies stay imports: users dedupe and update them.
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
};
const entries = {
  index: "src/index.ts",
  testing: "src/testing/index.ts",
  "testing-runtime": "src/testing/runtime-entry.ts",
  "testing-loader": "src/testing/load-runtime.ts",
  options: "src/options/entry.ts",
  "cloudflare-workers": "src/cloudflare-workers.ts",
  "cloudflare-test": "src/cloudflare-test.ts",
  "cloudflare-workflows": "src/cloudflare-workflows.ts",
};
await build({ ...shared, format: "esm", entryPoints: entries, outdir: "dist", outExtension: { ".js": ".js" } });
await build({
  ...shared,
  format: "cjs",
  entryPoints: entries,
  outdir: "dist",
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__durabox_import_meta_url" },
  banner: { js: 'var __durabox_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
});
await build({
  ...shared,
  format: "esm",
  entryPoints: { "cli/main": "src/cli/main.ts" },
  outdir: "dist",
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync("dist/cli/main.js", 0o755);

// The environment packages: their own entries, durabox and the runners external.
for (const [dir, format, names] of [
  ["environments/vitest", "esm", ["index", "config", "setup", "runner", "isolation"]],
  ["environments/jest", "cjs", ["index", "setup", "transform", "resolver"]],
]) {
  rmSync(`${dir}/dist`, { recursive: true, force: true });
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", `${dir}/tsconfig.json`], { stdio: "inherit" });
  await build({
    ...shared,
    format,
    entryPoints: Object.fromEntries(names.map((name) => [name, `${dir}/src/${name}.ts`])),
    outdir: `${dir}/dist`,
    ...(format === "cjs" && { outExtension: { ".js": ".cjs" } }),
    // Loaded on demand, as its own file: it imports "vitest", which must not load with the environment.
    external: ["./isolation.js"],
  });
}
