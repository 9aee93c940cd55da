// The worker script every workload runs, on both runtimes.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const COUNTER_SCRIPT = `
export class Counter {
  constructor(state) { this.state = state; }
  async fetch() {
    const n = ((await this.state.storage.get("n")) ?? 0) + 1;
    await this.state.storage.put("n", n);
    return new Response(String(n));
  }
}
export default {
  fetch(request, env) {
    return env.COUNTER.get(env.COUNTER.idFromName("a")).fetch(request);
  },
};
`;

export const counterOptions = () => ({
  modules: true,
  script: COUNTER_SCRIPT,
  durableObjects: { COUNTER: "Counter" },
});

// The same Counter worker as files: TypeScript for durabox, plain JavaScript for Miniflare 2 (no TypeScript).
const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const COUNTER_TS = path.join(FIXTURES, "counter-worker.ts");
export const COUNTER_MJS = path.join(FIXTURES, "counter-worker.mjs");

/** Waits until an instance has loaded its worker: durabox's `ready`; Miniflare 2 has none, its getPlugins() waits for init. */
export async function ready(mf) {
  if ("ready" in mf) await mf.ready;
  else await mf.getPlugins();
}

/** A fresh temporary directory, for persistence. */
export function temporaryDirectory(prefix) {
  return mkdtempSync(path.join(tmpdir(), `durabox-bench-${prefix}-`));
}

// A Writer object for the persistence put workloads: one fetch makes `n` sequential, awaited puts, as an
// object's own code writes. Keys rotate over 1,000; the value is the running count, so the last value of
// every key is known.
export const WRITER_SCRIPT = `
export class Writer {
  constructor(state) { this.state = state; }
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const n = Number(params.get("n")), from = Number(params.get("from"));
    for (let i = from; i < from + n; i++) await this.state.storage.put("k" + (i % 1000), i);
    return new Response(String(n));
  }
}
export default { fetch() { return new Response("") } };
`;

export const writerOptions = () => ({
  modules: true,
  script: WRITER_SCRIPT,
  durableObjects: { WRITER: "Writer" },
});
