// Shared by the persistence workloads (6a-6d): the same measurements on a directory and on Redis.
import { counterOptions } from "./scripts.mjs";
import { median } from "./stats.mjs";

export const KEYS = 1000;
const BATCH = 128; // Miniflare 2's put() takes at most 128 entries
const REPEATS = 10;
const keyAt = (i) => "key:" + String(i).padStart(4, "0");

/**
 * After puts of `count` rotating values to keys "k0".."k999", checks that `entries` (a new instance's
 * list()) holds every key with the last value put to it.
 */
export function checkLastValues(label, entries, count) {
  const expectedSize = Math.min(count, KEYS);
  if (entries.size !== expectedSize) throw new Error(`a new instance listed ${entries.size} keys (${label}), expected ${expectedSize}`);
  for (const [key, value] of entries) {
    const k = Number(key.slice(1));
    const expected = count - 1 - ((count - 1 - k) % KEYS); // the last value written to this key
    if (value !== expected) throw new Error(`a new instance read ${key} = ${value} (${label}), expected ${expected}`);
  }
}

/**
 * 6b and 6d: 1,000 keys written through one instance, which is disposed (`afterSeeding` runs then); then,
 * REPEATS times, a new instance on the same store opens the object's storage and lists it all, so nothing
 * read earlier is held in memory.
 */
export async function listFromFreshInstances(Runtime, durableObjectsPersist, afterSeeding = async () => ({})) {
  const options = () => ({ ...counterOptions(), durableObjectsPersist });
  const seeding = new Runtime(options());
  const seedNs = await seeding.getDurableObjectNamespace("COUNTER");
  const seedStorage = await seeding.getDurableObjectStorage(seedNs.idFromName("list"));
  const seedStart = performance.now();
  for (let i = 0; i < KEYS; i += BATCH) {
    const entries = {};
    for (let j = i; j < Math.min(i + BATCH, KEYS); j++) entries[keyAt(j)] = j;
    await seedStorage.put(entries);
  }
  const seedMs = performance.now() - seedStart;
  await seeding.dispose(); // durabox locks a directory until then
  const extra = await afterSeeding();

  const listTimes = [];
  const totalTimes = [];
  for (let rep = 0; rep < REPEATS; rep++) {
    const constructStart = performance.now();
    const mf = new Runtime(options());
    const ns = await mf.getDurableObjectNamespace("COUNTER");
    const id = ns.idFromName("list");
    const start = performance.now();
    const storage = await mf.getDurableObjectStorage(id);
    const entries = await storage.list();
    const end = performance.now();
    listTimes.push(end - start);
    totalTimes.push(end - constructStart);
    if (entries.size !== KEYS) throw new Error(`repeat ${rep}: list() returned ${entries.size} entries, expected ${KEYS}`);
    let j = 0;
    for (const [key, value] of entries) {
      if (key !== keyAt(j) || value !== j) throw new Error(`repeat ${rep}: entry ${j} is ${key} = ${value}, expected ${keyAt(j)} = ${j}`);
      j++;
    }
    await mf.dispose();
  }
  return {
    medianMs: median(listTimes),
    minMs: Math.min(...listTimes),
    coldMs: listTimes[0],
    totalMedianMs: median(totalTimes),
    seedMs,
    repeats: REPEATS,
    ...extra,
  };
}
