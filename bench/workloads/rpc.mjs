// 9. JS RPC, sequential: `await stub.increment()` on a Durable Object (durabox), beside Miniflare 2's only
// way to reach an object, `stub.fetch` + reading the body (it has no RPC), and the floor: the same method
// called directly on the instance, in durabox's process. The object only counts in memory, so the figures
// are the call path itself.
import { measure } from "../lib/stats.mjs";

const RPC_SCRIPT = `
import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  n = 0;
  async increment() { return ++this.n; }
  async fetch() { return new Response(String(++this.n)); }
}
export default { fetch() { return new Response(""); } };
`;

const FETCH_SCRIPT = `
export class Counter {
  constructor() { this.n = 0; }
  async fetch() { return new Response(String(++this.n)); }
}
export default { fetch() { return new Response(""); } };
`;

export const title = "JS RPC calls (Miniflare 2: stub.fetch), and the floor: a direct call on the instance";

function checked(expected) {
  return (value) => {
    if (Number(value) !== ++expected.n) throw new Error(`counter returned ${value}, expected ${expected.n}`);
  };
}

export async function run(Runtime, { runtime }) {
  const durabox = runtime === "durabox";
  const mf = new Runtime({ modules: true, script: durabox ? RPC_SCRIPT : FETCH_SCRIPT, durableObjects: { COUNTER: "Counter" } });
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const stub = ns.get(ns.idFromName("a"));
  const count = { n: 0 };
  const check = checked(count);
  const main = durabox
    ? await measure("stub.increment()", async () => check(await stub.increment()))
    : await measure("stub.fetch", async () => check(await (await stub.fetch("http://localhost/")).text()));
  const result = { ...main, meanUs: main.meanMs * 1000, p50Us: main.p50Ms * 1000 };
  if (durabox) {
    // The floor: the very instance the stub reaches, its method called and awaited with no runtime between.
    const instance = await mf.runtime.instance(ns.idFromName("a")).deliver(0, (object) => object);
    const floor = await measure("instance.increment()", async () => check(await instance.increment()));
    Object.assign(result, { floorOpsPerSec: floor.opsPerSec, floorMeanUs: floor.meanMs * 1000, floorP50Us: floor.p50Ms * 1000 });
    // The same stub's fetch, for reference: what durabox gives where Miniflare 2 has only fetch.
    const fetched = await measure("stub.fetch", async () => check(await (await stub.fetch("http://localhost/")).text()));
    Object.assign(result, { fetchOpsPerSec: fetched.opsPerSec });
  }
  await mf.dispose();
  return result;
}
