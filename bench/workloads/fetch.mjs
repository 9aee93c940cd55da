// 1. stub.fetch, sequential: a Counter object that reads, increments and writes "n".
import { counterOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";

export const title = "stub.fetch sequential (Counter: get + put + Response)";

export async function run(Runtime) {
  const mf = new Runtime(counterOptions());
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const stub = ns.get(ns.idFromName("a"));
  let calls = 0;
  const result = await measure("stub.fetch", async () => {
    const body = await (await stub.fetch("http://localhost/")).text();
    if (Number(body) !== ++calls) throw new Error(`counter returned ${body}, expected ${calls}`);
  });
  await mf.dispose();
  return { ...result, totalCalls: calls };
}
