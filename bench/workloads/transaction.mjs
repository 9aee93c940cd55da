// 4. 50 concurrent storage.transaction() calls incrementing one key (OCC contention).
import { counterOptions } from "../lib/scripts.mjs";
import { median } from "../lib/stats.mjs";

const WAYS = 50;
const WARMUP = 20; // untimed repeats first: early ones measure JIT tiering more than the runtime
const REPEATS = 20;

async function once(storage) {
  let calls = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WAYS }, () =>
      storage.transaction(async (txn) => {
        calls++;
        const v = (await txn.get("n")) ?? 0;
        await txn.put("n", v + 1);
      }),
    ),
  );
  const ms = performance.now() - start;
  return { ms, calls, final: await storage.get("n") };
}

export async function run(Runtime) {
  const mf = new Runtime(counterOptions());
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const reps = [];
  for (let rep = 0; rep < WARMUP + REPEATS; rep++) {
    // A fresh object each repeat, so "n" starts absent (0).
    reps.push(await once(await mf.getDurableObjectStorage(ns.idFromName("txn-" + rep))));
  }
  await mf.dispose();
  const timed = reps.slice(WARMUP);
  return {
    medianMs: median(timed.map((r) => r.ms)),
    minMs: Math.min(...timed.map((r) => r.ms)),
    coldMs: reps[0].ms,
    medianCalls: median(reps.map((r) => r.calls)),
    maxCalls: Math.max(...reps.map((r) => r.calls)),
    finalValues: [...new Set(reps.map((r) => r.final))],
    allCorrect: reps.every((r) => r.final === WAYS),
  };
}
