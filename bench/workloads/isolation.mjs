// 7c. Per-test isolation with 100,000 keys stored in one object: push a storage layer, write one key,
// pop the layer (what the environments do around every test). durabox: the runtime's pushLayer()/popLayer(), and
// TestRuntime's enterScope()/exitScope() (which also evicts instances and reschedules alarms). Miniflare 2:
// the StackedMemoryStorageFactory its Jest and Vitest environments push and pop, under the same setup.
import { loadTestRuntime } from "../lib/runtimes.mjs";
import { counterOptions } from "../lib/scripts.mjs";
import { measure } from "../lib/stats.mjs";
import { miniflare } from "../lib/environments.mjs";

const KEYS = 100_000;
const BATCH = 128;
const key = (i) => `key-${String(i).padStart(6, "0")}`;

async function seed(storage) {
  const start = performance.now();
  for (let i = 0; i < KEYS; i += BATCH) {
    const entries = {};
    for (let j = i; j < Math.min(KEYS, i + BATCH); j++) entries[key(j)] = j;
    await storage.put(entries);
  }
  return performance.now() - start;
}

/** Times push + one overwrite of a stored key + pop, then checks every overwritten key reads its seeded value again. */
async function time(storage, push, pop) {
  let n = 0;
  const touched = new Set();
  const result = await measure("push + put + pop", async () => {
    const i = (n++ * 7919) % KEYS;
    touched.add(i);
    push();
    await storage.put(key(i), -1);
    await pop();
  });
  for (const i of touched) {
    const value = await storage.get(key(i));
    if (value !== i) throw new Error(`${key(i)} reads ${value} after its layer was popped, expected ${i}`);
  }
  const listed = await storage.list();
  if (listed.size !== KEYS) throw new Error(`storage lists ${listed.size} keys after the pops, expected ${KEYS}`);
  return { meanUs: result.meanMs * 1000, p99Us: result.p99Ms * 1000, rmePct: result.rmePct, samples: result.samples };
}

async function durabox(Durabox) {
  const out = {};
  const mf = new Durabox(counterOptions());
  const ns = await mf.getDurableObjectNamespace("COUNTER");
  const storage = await mf.getDurableObjectStorage(ns.idFromName("big"));
  out.seedMs = await seed(storage);
  const layers = await time(
    storage,
    () => mf.runtime.pushLayer(),
    () => mf.runtime.popLayer(),
  );
  Object.assign(out, { layersMeanUs: layers.meanUs, layersP99Us: layers.p99Us, layersRmePct: layers.rmePct });
  await mf.dispose();

  // The same through the TestRuntime the environments drive.
  const TestRuntime = await loadTestRuntime();
  const runtime = new TestRuntime(counterOptions(), { cwd: process.cwd() });
  const id = runtime.env.COUNTER.idFromName("big");
  const scoped = runtime.getDurableObjectStorage(id);
  await seed(scoped);
  const scopes = await time(
    scoped,
    () => runtime.enterScope(),
    () => runtime.exitScope(),
  );
  Object.assign(out, { scopesMeanUs: scopes.meanUs, scopesP99Us: scopes.p99Us, scopesRmePct: scopes.rmePct });
  await runtime.dispose();
  return out;
}

async function miniflare2() {
  const { createMiniflareEnvironment, StackedMemoryStorageFactory, ExecutionContext } = miniflare.sharedTestEnvironment();
  const { VMScriptRunner } = miniflare.runnerVm();
  const { QueueBroker } = miniflare.queues();
  const storageFactory = new StackedMemoryStorageFactory();
  const [mf, scope] = await createMiniflareEnvironment(
    { storageFactory, scriptRunner: new VMScriptRunner(), queueBroker: new QueueBroker() },
    counterOptions(),
    { ExecutionContext },
  );
  const env = scope.getMiniflareBindings();
  const storage = await scope.getMiniflareDurableObjectStorage(env.COUNTER.idFromName("big"));
  const out = { seedMs: await seed(storage) };
  // What Miniflare 2's Jest and Vitest environments do around every test: the factory's push and pop.
  const layers = await time(
    storage,
    () => storageFactory.push(),
    () => storageFactory.pop(),
  );
  Object.assign(out, { layersMeanUs: layers.meanUs, layersP99Us: layers.p99Us, layersRmePct: layers.rmePct });
  await mf.dispose();
  return out;
}

export async function run(Runtime, { runtime }) {
  return runtime === "durabox" ? durabox(Runtime) : miniflare2();
}
