// 6c. Redis persistence: sequential, awaited storage.put over 1,000 rotating keys, with durableObjectsPersist
// set to the redis:// URL of the bench's own redis-server (emptied before and after). Measured two ways:
//  - inside an object, as a Durable Object's code writes: each stub.fetch makes 100 sequential awaited puts
//    and its response must arrive (both runtimes hold it until the writes are in Redis);
//  - from outside, through getDurableObjectStorage, where each put waits for Redis before the next starts,
//    so both runtimes are bound by one loopback round trip per put. The floor row is that round trip alone:
//    an ioredis SET awaited in a loop, in the same process.
// Afterwards a new instance on the same Redis must read back the last value written to every key.
import { createRequire } from "node:module";
import { checkLastValues, KEYS } from "../lib/persistence.mjs";
import { benchRedis, redisCommand } from "../lib/redis.mjs";
import { writerOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

const PUTS_PER_FETCH = 100;

export async function run(Runtime, { runtime } = {}) {
  const url = await benchRedis();
  const options = () => ({ ...writerOptions(), durableObjectsPersist: url });
  try {
    const mf = new Runtime(options());
    const ns = await mf.getDurableObjectNamespace("WRITER");

    const stub = ns.get(ns.idFromName("inside"));
    let inside = 0;
    const byFetch = await measure("redis put inside", async () => {
      const response = await stub.fetch(`https://bench/?n=${PUTS_PER_FETCH}&from=${inside}`);
      if ((await response.text()) !== String(PUTS_PER_FETCH)) throw new Error("the Writer answered wrongly");
      inside += PUTS_PER_FETCH;
    });

    const storage = await mf.getDurableObjectStorage(ns.idFromName("outside"));
    let outside = 0;
    const fromOutside = await measure("redis put outside", async () => {
      const returned = await storage.put("k" + (outside % KEYS), outside);
      if (returned !== undefined) throw new Error(`put returned ${returned}`);
      outside++;
    });
    await mf.dispose();
    // The data is in Redis, not in the instance's memory.
    const redisKeys = await redisCommand(url, "DBSIZE");
    if (redisKeys === 0) throw new Error("Redis holds no keys after the puts");

    // Read everything back from Redis, in a new instance.
    const reopened = new Runtime(options());
    const ns2 = await reopened.getDurableObjectNamespace("WRITER");
    for (const [name, count] of [
      ["inside", inside],
      ["outside", outside],
    ]) {
      const entries = await (await reopened.getDurableObjectStorage(ns2.idFromName(name))).list();
      checkLastValues(name, entries, count);
    }
    await reopened.dispose();
    return {
      opsPerSec: byFetch.opsPerSec * PUTS_PER_FETCH,
      fetchMeanMs: byFetch.meanMs,
      fetchRmePct: byFetch.rmePct,
      outsideOpsPerSec: fromOutside.opsPerSec,
      outsideMeanMs: fromOutside.meanMs,
      outsideP99Ms: fromOutside.p99Ms,
      outsideRmePct: fromOutside.rmePct,
      ...(runtime === "durabox" && { floorOpsPerSec: await roundTripFloor(url) }),
      puts: inside + outside,
      readBack: true,
      redisKeys,
    };
  } finally {
    await redisCommand(url, "FLUSHALL");
  }
}

/** One awaited ioredis SET after another: what a put that waits for Redis cannot beat. */
async function roundTripFloor(url) {
  const { default: Redis } = createRequire(import.meta.url)("ioredis");
  const client = new Redis(url);
  try {
    let i = 0;
    const result = await measure("ioredis SET round trip", async () => {
      await client.set("floor" + (i++ % KEYS), "v");
    });
    return result.opsPerSec;
  } finally {
    client.disconnect();
  }
}
