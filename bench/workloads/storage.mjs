// 2. Storage put + get, sequential, from outside the object (getDurableObjectStorage).
import { counterOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

export const title = "storage put + get sequential (getDurableObjectStorage)";

export async function run(Runtime) {
  const mf = new Runtime(counterOptions());
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const storage = await mf.getDurableObjectStorage(ns.idFromName("b"));
  let i = 0;
  const result = await measure("put+get", async () => {
    const key = "k" + (i % 100);
    await storage.put(key, i);
    const value = await storage.get(key);
    if (value !== i) throw new Error(`get(${key}) returned ${value}, expected ${i}`);
    i++;
  });
  await mf.dispose();
  return result;
}
