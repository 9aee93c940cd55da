// 5c. Construct an instance from a worker file (scriptPath) and serve its first dispatchFetch.
// durabox loads the TypeScript file (bundled by esbuild inside durabox); Miniflare 2 cannot load
// TypeScript, so it loads the same worker written as plain JavaScript (.mjs, modules: true).
// esbuild's own bundling time for the .ts file is measured separately, in the same process, after
// the instances (so the instances' figures are not warmed by it).
import path from "node:path";
import { COUNTER_MJS, COUNTER_TS, ready } from "../lib/scripts.mjs";
import { median } from "../lib/stats.mjs";

const MORE_INSTANCES = 10;
const MORE_BUILDS = 5;

async function once(Runtime, scriptPath) {
  const start = performance.now();
  const mf = new Runtime({ modules: true, scriptPath, durableObjects: { COUNTER: "Counter" } });
  await ready(mf);
  const readyMs = performance.now() - start;
  const body = await mf.dispatchFetch("http://localhost/").then((r) => r.text());
  const totalMs = performance.now() - start;
  if (body !== "1") throw new Error(`first dispatchFetch (${path.basename(scriptPath)}) returned ${JSON.stringify(body)}, expected "1"`);
  await mf.dispose();
  return { readyMs, totalMs };
}

async function esbuildTimes() {
  const importStart = performance.now();
  const esbuild = await import("esbuild");
  const esbuildImportMs = performance.now() - importStart;
  const build = async () => {
    const start = performance.now();
    const result = await esbuild.build({ entryPoints: [COUNTER_TS], bundle: true, write: false, format: "esm", platform: "neutral" });
    const ms = performance.now() - start;
    const text = result.outputFiles[0]?.text ?? "";
    if (!/export\s*\{[^}]*Counter/.test(text)) throw new Error(`esbuild output of ${COUNTER_TS} does not export Counter:\n${text}`);
    return ms;
  };
  const esbuildFirstMs = await build();
  const more = [];
  for (let i = 0; i < MORE_BUILDS; i++) more.push(await build());
  return { esbuildImportMs, esbuildFirstMs, esbuildMedianMs: median(more) };
}

export async function run(Runtime, { runtime }) {
  const scriptPath = runtime === "durabox" ? COUNTER_TS : COUNTER_MJS;
  const cold = await once(Runtime, scriptPath);
  const second = await once(Runtime, scriptPath);
  const more = [];
  for (let i = 0; i < MORE_INSTANCES; i++) more.push((await once(Runtime, scriptPath)).totalMs);
  return {
    scriptFile: path.basename(scriptPath),
    coldReadyMs: cold.readyMs,
    coldMs: cold.totalMs,
    secondMs: second.totalMs,
    laterMedianMs: median(more),
    ...(await esbuildTimes()),
  };
}
