// 5a, extra row: the first instance of a fresh process whose platform fetch classes are already loaded.
// durabox defers loading Node's fetch implementation (undici) until a worker loads, so the plain
// cold-process row of 5a carries that one-time cost; here the process pays it before the timer.
import { counterOptions } from "../lib/scripts.mjs";
import { once } from "./startup.mjs";

export async function run(Runtime) {
  new Request("http://x");
  new Response("x");
  return { fetchLoadedColdMs: await once(Runtime, counterOptions()) };
}
