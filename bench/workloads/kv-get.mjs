// 11b. KV get of a stored key (text), sequential, from outside the worker. Floor: Map.get.
import { measure } from "../lib/stats.mjs";

export const title = "KV get sequential (getKVNamespace)";

export async function run(Runtime) {
  let kv;
  let mf;
  if (Runtime === undefined) {
    const map = new Map();
    kv = { put: async (k, v) => void map.set(k, v), get: async (k) => map.get(k) ?? null };
  } else {
    mf = new Runtime({ modules: true, script: "export default { fetch() { return new Response('') } }", kvNamespaces: ["NS"] });
    kv = await mf.getKVNamespace("NS");
  }
  for (let k = 0; k < 100; k++) await kv.put("k" + k, "value " + k);
  let i = 0;
  const result = await measure("get", async () => {
    const k = i++ % 100;
    const value = await kv.get("k" + k);
    if (value !== "value " + k) throw new Error(`get(k${k}) returned ${value}`);
  });
  await mf?.dispose();
  return result;
}
