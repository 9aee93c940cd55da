// 6d. Redis persistence: 1,000 keys written and the instance disposed; then, repeatedly, a new instance
// on the same Redis (the bench's own redis-server, emptied before and after) opens the object's storage
// and lists it all. Each repeat is a fresh runtime instance (in this process), so nothing read earlier
// is held in its memory.
import { listFromFreshInstances } from "../lib/persistence.mjs";
import { benchRedis, redisCommand } from "../lib/redis.mjs";

export async function run(Runtime) {
  const url = await benchRedis();
  try {
    return await listFromFreshInstances(Runtime, url, async () => {
      const redisKeys = await redisCommand(url, "DBSIZE");
      if (redisKeys === 0) throw new Error("Redis holds no keys after seeding");
      return { redisKeys };
    });
  } finally {
    await redisCommand(url, "FLUSHALL");
  }
}
