// 5a. Construct an instance and serve its first dispatchFetch (forwarded to a Counter object).
import { counterOptions } from "../lib/scripts.mjs";
import { median } from "../lib/stats.mjs";

const INSTANCES = 30;

export async function once(Runtime, options) {
  const start = performance.now();
  const mf = new Runtime(options);
  const body = await (await mf.dispatchFetch("http://localhost/")).text();
  const ms = performance.now() - start;
  if (body !== "1") throw new Error(`first dispatchFetch returned ${JSON.stringify(body)}, expected "1"`);
  await mf.dispose();
  return ms;
}

export async function run(Runtime) {
  // The same script every time (what a test suite does; a runtime may cache its compiled form) ...
  const same = [];
  for (let i = 0; i < INSTANCES; i++) same.push(await once(Runtime, counterOptions()));
  // ... and a different script every time (a comment differs), so nothing compiled can be reused.
  const unique = [];
  for (let i = 0; i < INSTANCES; i++) {
    const options = counterOptions();
    unique.push(await once(Runtime, { ...options, script: options.script + `\n// instance ${i}\n` }));
  }
  return { medianMs: median(same), minMs: Math.min(...same), coldMs: same[0], uniqueMedianMs: median(unique) };
}
