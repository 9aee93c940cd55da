// 11a. KV put, sequential, from outside the worker (getKVNamespace). Floor: Map.set of the same string.
import { measure } from "../lib/stats.mjs";

export const title = "KV put sequential (getKVNamespace)";

export async function run(Runtime) {
  if (Runtime === undefined) {
    const map = new Map();
    let i = 0;
    return measure("put", async () => void map.set("k" + (i % 100), "value " + i++));
  }
  const mf = new Runtime({ modules: true, script: "export default { fetch() { return new Response('') } }", kvNamespaces: ["NS"] });
  const kv = await mf.getKVNamespace("NS");
  let i = 0;
  const result = await measure("put", () => kv.put("k" + (i % 100), "value " + i++));
  await mf.dispose();
  return result;
}
