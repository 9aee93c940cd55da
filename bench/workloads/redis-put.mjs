// 6c. Redis persistence: sequential storage.put over 1,000 rotating keys, from outside the object, with
// durableObjectsPersist set to the redis:// URL of the bench's own redis-server (emptied before and after).
// Afterwards a new instance on the same Redis must read back the last value written to every key.
import { benchRedis, redisCommand } from "../lib/redis.mjs";
import { counterOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

const KEYS = 1000;

export async function run(Runtime) {
  const url = await benchRedis();
  const options = () => ({ ...counterOptions(), durableObjectsPersist: url });
  try {
    const mf = new Runtime(options());
    const ns = await mf.getDurableObjectNamespace("COUNTER");
    const storage = await mf.getDurableObjectStorage(ns.idFromName("persist"));
    let i = 0;
    const result = await measure("redis put", async () => {
      const returned = await storage.put("k" + (i % KEYS), i);
      if (returned !== undefined) throw new Error(`put returned ${returned}`);
      i++;
    });
    await mf.dispose();
    // The data is in Redis, not in the instance's memory.
    const redisKeys = await redisCommand(url, "DBSIZE");
    if (redisKeys === 0) throw new Error("Redis holds no keys after the puts");

    // Read everything back from Redis, in a new instance.
    const reopened = new Runtime(options());
    const ns2 = await reopened.getDurableObjectNamespace("COUNTER");
    const entries = await (await reopened.getDurableObjectStorage(ns2.idFromName("persist"))).list();
    const expectedSize = Math.min(i, KEYS);
    if (entries.size !== expectedSize) throw new Error(`a new instance listed ${entries.size} keys, expected ${expectedSize}`);
    for (const [key, value] of entries) {
      const k = Number(key.slice(1));
      const expected = i - 1 - ((i - 1 - k) % KEYS); // the last i written to this key
      if (value !== expected) throw new Error(`a new instance read ${key} = ${value}, expected ${expected}`);
    }
    await reopened.dispose();
    return { ...result, puts: i, readBack: true, redisKeys };
  } finally {
    await redisCommand(url, "FLUSHALL");
  }
}
