// 11c. Cache API match hit on caches.default (getCaches), reading the body. Floor: Map.get + new Response.
import { measure } from "../lib/stats.mjs";

export const title = "Cache match hit (getCaches().default), body read";

const URLS = Array.from({ length: 100 }, (_, k) => `http://bench.test/item/${k}`);

export async function run(Runtime) {
  let cache;
  let mf;
  if (Runtime === undefined) {
    const map = new Map();
    cache = {
      put: async (url, response) => void map.set(url, { body: await response.text(), headers: [...response.headers] }),
      match: async (url) => {
        const entry = map.get(url);
        return entry && new Response(entry.body, { headers: entry.headers });
      },
    };
  } else {
    mf = new Runtime({ modules: true, script: "export default { fetch() { return new Response('') } }" });
    cache = (await mf.getCaches()).default;
  }
  for (const [k, url] of URLS.entries()) {
    await cache.put(url, new Response("body " + k, { headers: { "cache-control": "max-age=3600", "content-type": "text/plain" } }));
  }
  let i = 0;
  const result = await measure("match", async () => {
    const k = i++ % 100;
    const hit = await cache.match(URLS[k]);
    if ((await hit.text()) !== "body " + k) throw new Error(`match ${URLS[k]} missed`);
  });
  await mf?.dispose();
  return result;
}
