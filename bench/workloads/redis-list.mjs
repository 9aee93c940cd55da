// 6d. Redis persistence: 1,000 keys written and the instance disposed; then, repeatedly, a new instance
// on the same Redis (the bench's own redis-server, emptied before and after) opens the object's storage
// and lists it all. Each repeat is a fresh runtime instance (in this process), so nothing read earlier
// is held in its memory.
import { benchRedis, redisCommand } from "../lib/redis.mjs";
import { counterOptions } from "../lib/scripts.mjs";
import { median } from "../lib/stats.mjs";

const KEYS = 1000;
const BATCH = 128; // Miniflare 2's put() takes at most 128 entries
const REPEATS = 10;
const keyAt = (i) => "key:" + String(i).padStart(4, "0");

export async function run(Runtime) {
  const url = await benchRedis();
  const options = () => ({ ...counterOptions(), durableObjectsPersist: url });
  try {
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
    await seeding.dispose();
    const redisKeys = await redisCommand(url, "DBSIZE");
    if (redisKeys === 0) throw new Error("Redis holds no keys after seeding");

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
      redisKeys,
    };
  } finally {
    await redisCommand(url, "FLUSHALL");
  }
}
