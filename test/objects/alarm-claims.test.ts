import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../src/index.js";
import { RedisBackend } from "../../src/storage/backends/redis.js";
import { runtimeWith } from "../helpers/runtime.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";
import type { DurableObjectState } from "../../src/objects/state.js";
import type { DurableObjectId } from "../../src/objects/id.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));
const workerOptions = (redis: RedisServer, name: string) => ({
  scriptPath: path.join(fixtures, "alarm-worker.mjs"),
  durableObjects: { SLEEPER: "Sleeper" },
  bindings: { NAME: name },
  durableObjectsPersist: redis.url,
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

let runs = 0;
const withRedis = requireRedisOrSkip();
describe.skipIf(!withRedis)("alarms on a Redis shared by several runtimes", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  /** Stores alarms due at `at` for `names`, from a runtime that fires none. */
  async function storeAlarms(names: string[], at: number): Promise<void> {
    const setup = new Durabox({ ...workerOptions(redis, "setup"), durableObjectsAlarms: false });
    const ns = await setup.getDurableObjectNamespace("SLEEPER");
    for (const name of names) await (await setup.getDurableObjectStorage(ns.idFromName(name))).setAlarm(at);
    await setup.dispose();
  }

  it("runs each stored alarm exactly once, though every runtime schedules it", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `once-${++runs}-${i}`);
    await storeAlarms(names, Date.now() + 300);
    const runtimes = [
      new Durabox(workerOptions(redis, "a")),
      new Durabox(workerOptions(redis, "b")),
      new Durabox(workerOptions(redis, "c")),
    ];
    try {
      const ns = await runtimes[0]!.getDurableObjectNamespace("SLEEPER");
      const storages = await Promise.all(names.map((name) => runtimes[0]!.getDurableObjectStorage(ns.idFromName(name))));
      await until(async () => (await Promise.all(storages.map((s) => s.get("ranBy")))).every((ranBy) => ranBy !== undefined), 5000);
      await sleep(300); // time for a second run, were there one
      for (const storage of storages) {
        expect(await storage.get<string[]>("ranBy")).toEqual([expect.stringMatching(/^[abc]:0$/)]);
        expect(await storage.getAlarm()).toBeNull();
      }
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.dispose()));
    }
  });

  it("a runtime killed mid-alarm: another runs the alarm once the claim lapses", async () => {
    const name = `killed-${++runs}`;
    await storeAlarms([name], Date.now());
    const child = spawn(process.execPath, [path.join(fixtures, "alarm-claimant.mjs"), redis.url], {
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let survivor: Durabox | undefined;
    try {
      let output = "";
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()).includes("alarm started") && resolve());
        child.once("exit", (code) => reject(new Error(`the claimant exited (${code}): ${output}`)));
      });
      // Only now: started earlier, this runtime would claim the alarm first.
      survivor = new Durabox(workerOptions(redis, "survivor"));
      const storage = await survivor.getDurableObjectStorage((await survivor.getDurableObjectNamespace("SLEEPER")).idFromName(name));
      await survivor.ready;
      // The claimant is alive and renews its claim: the survivor leaves the alarm to it.
      await sleep(1500);
      expect(await storage.get("ranBy")).toBeUndefined();
      child.kill("SIGKILL");
      const killedAt = Date.now();
      // The alarm is cleared after its handler returns: wait for both.
      await until(async () => (await storage.get("ranBy")) !== undefined && (await storage.getAlarm()) === null, 10_000);
      expect(await storage.get("ranBy")).toEqual(["survivor:0"]);
      expect(Date.now() - killedAt).toBeLessThan(8000);
    } finally {
      child.kill("SIGKILL");
      await survivor?.dispose();
    }
  });

  it("keeps the claim while a long alarm runs, and through the backoff before its retry", async () => {
    const calls: string[] = [];
    class Slow {
      constructor(
        readonly state: DurableObjectState,
        readonly env: { NAME: string },
      ) {}
      async alarm(info: { retryCount: number }): Promise<void> {
        calls.push(`${this.env.NAME}:${info.retryCount}`);
        await sleep(700); // over twice the claim's 300 ms: only renewal keeps it
        if (info.retryCount === 0) throw new Error("first attempt fails");
      }
    }
    const backends = [new RedisBackend(redis.url, { alarmClaimMs: 300 }), new RedisBackend(redis.url, { alarmClaimMs: 300 })];
    const [a, b] = backends.map((backend, i) => runtimeWith({ Slow }, { backend, automaticAlarms: true, env: { NAME: "ab"[i] } }));
    const id: DurableObjectId = a!.ns("Slow").idFromName(`slow-${++runs}-${process.pid}`);
    try {
      await a!.runtime.storage(id).setAlarm(Date.now() + 100);
      await b!.runtime.rescheduleAlarms();
      await until(async () => (await a!.runtime.storage(id).getAlarm()) === null, 8000);
      // One runtime ran it, then its own retry after the 2 s backoff; the other never did.
      expect(calls).toHaveLength(2);
      expect(calls[1]).toBe(calls[0]!.replace(":0", ":1"));
      await sleep(400);
      expect(calls).toHaveLength(2);
    } finally {
      await Promise.all([a!.runtime.dispose(), b!.runtime.dispose()]);
    }
  });
});
