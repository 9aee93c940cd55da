// 3. list() pages of 1,000 from a random existing start key, over 10,000 keys.
import { counterOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

export const title = "storage.list page (limit 1000, random start, 10,000 keys)";

const KEYS = 10_000;
const BATCH = 128;
const PAGE = 1000;
const keyAt = (i) => "key:" + String(i).padStart(5, "0");

export async function run(Runtime) {
  const mf = new Runtime(counterOptions());
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const storage = await mf.getDurableObjectStorage(ns.idFromName("list"));

  const seedStart = performance.now();
  for (let i = 0; i < KEYS; i += BATCH) {
    const entries = {};
    for (let j = i; j < Math.min(i + BATCH, KEYS); j++) entries[keyAt(j)] = j;
    await storage.put(entries);
  }
  const seedMs = performance.now() - seedStart;

  // A fixed pseudo-random sequence, so both runtimes list the same pages.
  let seed = 42;
  const result = await measure("list", async () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const start = seed % KEYS;
    const page = await storage.list({ start: keyAt(start), limit: PAGE });
    const expected = Math.min(PAGE, KEYS - start);
    if (page.size !== expected) throw new Error(`list from ${keyAt(start)} returned ${page.size} entries, expected ${expected}`);
    const first = page.keys().next().value;
    if (first !== keyAt(start)) throw new Error(`list from ${keyAt(start)} started at ${first}`);
  });
  await mf.dispose();
  return { ...result, seedMs };
}
