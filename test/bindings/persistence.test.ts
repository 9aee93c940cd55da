import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox, DurableObjectNamespace } from "../../src/index.js";
import { normalizeOptions } from "../../src/options.js";
import { TestRuntime } from "../../src/testing/test-runtime.js";
import { runAndKill } from "../helpers/killed-writer.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";

const fixtures = fileURLToPath(new URL("../../fixtures/persistence/", import.meta.url));
const script = "export default { fetch() { return new Response('ok'); } }";
const temp = () => mkdtempSync(path.join(tmpdir(), "durabox-bindings-persist-"));
const cacheable = (body: string) => new Response(body, { headers: { "cache-control": "max-age=600", "x-kept": "yes" } });

/** Writes KV and cache data with one runtime, then reads it with a new one. */
async function survivesRestart(options: { kvPersist: string; cachePersist: string }): Promise<void> {
  const first = new Durabox({ script, kvNamespaces: { NS: "ns-id" }, ...options });
  const expiration = Math.floor(Date.now() / 1000) + 3600;
  await (await first.getKVNamespace("NS")).put("k", "v", { metadata: { m: 1 }, expiration });
  await (await first.getKVNamespace("NS")).put("gone", "v");
  await (await first.getKVNamespace("NS")).delete("gone");
  await (await first.getCaches()).default.put("http://x/a", cacheable("cached"));
  await (await (await first.getCaches()).open("named")).put("http://x/a", cacheable("named"));
  await first.dispose();

  const second = new Durabox({ script, kvNamespaces: { OTHER: "ns-id" }, ...options });
  const kv = await second.getKVNamespace("OTHER");
  expect(await kv.getWithMetadata("k")).toEqual({ value: "v", metadata: { m: 1 }, cacheStatus: null });
  expect(await kv.list()).toEqual({ keys: [{ name: "k", expiration, metadata: { m: 1 } }], list_complete: true, cacheStatus: null });
  const hit = (await (await second.getCaches()).default.match("http://x/a"))!;
  expect(await hit.text()).toBe("cached");
  expect(hit.headers.get("x-kept")).toBe("yes");
  expect(await (await (await (await second.getCaches()).open("named")).match("http://x/a"))!.text()).toBe("named");
  await second.dispose();
}

describe("KV and Cache API persistence in a directory", () => {
  it("keeps data across runtimes, with metadata, expiration and headers", async () => {
    const dir = temp();
    await survivesRestart({ kvPersist: path.join(dir, "kv"), cachePersist: path.join(dir, "cache") });
  });

  it("shares one directory between kvPersist and cachePersist", async () => {
    const dir = temp();
    await survivesRestart({ kvPersist: dir, cachePersist: dir });
  });

  it("shares one directory with durableObjectsPersist", async () => {
    const dir = temp();
    const options = {
      script: "export class Box {} export default { fetch() { return new Response('ok'); } }",
      durableObjects: { BOX: "Box" },
      durableObjectsPersist: dir,
      kvNamespaces: ["NS"],
      kvPersist: dir,
      cachePersist: dir,
    };
    const first = new Durabox(options);
    const box = await first.getDurableObjectNamespace("BOX");
    await (await first.getDurableObjectStorage(box.idFromName("b"))).put("k", "object");
    await (await first.getKVNamespace("NS")).put("k", "kv");
    await first.dispose();
    const second = new Durabox(options);
    const again = await second.getDurableObjectNamespace("BOX");
    expect(await (await second.getDurableObjectStorage(again.idFromName("b"))).get("k")).toBe("object");
    expect(await (await second.getKVNamespace("NS")).get("k")).toBe("kv");
    // The KV and cache data are no Durable Objects of the namespace.
    expect(await second.runtime.listIds(DurableObjectNamespace.identityOf(again))).toHaveLength(1);
    await second.dispose();
  });

  it("puts `true` in ./.durabox/kv and ./.durabox/cache", () => {
    const dir = temp();
    const normalized = normalizeOptions({ script, kvPersist: true, cachePersist: true }, dir);
    expect(normalized.kvPersistence).toEqual({ kind: "file", directory: path.join(dir, ".durabox", "kv") });
    expect(normalized.cachePersistence).toEqual({ kind: "file", directory: path.join(dir, ".durabox", "cache") });
    expect(normalizeOptions({ script }, dir).kvPersistence).toEqual({ kind: "memory" });
  });

  it("lets tests read persisted data but drops their writes", async () => {
    const dir = temp();
    const setup = new Durabox({ script, kvNamespaces: ["NS"], kvPersist: dir });
    await (await setup.getKVNamespace("NS")).put("seed", "stored");
    await setup.dispose();

    const runtime = new TestRuntime({ script, kvNamespaces: ["NS"], kvPersist: dir });
    runtime.enterScope();
    expect(await runtime.getKVNamespace("NS").get("seed")).toBe("stored");
    await runtime.getKVNamespace("NS").put("seed", "test write");
    await runtime.exitScope();
    await runtime.dispose();

    const after = new Durabox({ script, kvNamespaces: ["NS"], kvPersist: dir });
    expect(await (await after.getKVNamespace("NS")).get("seed")).toBe("stored");
    await after.dispose();
  });

  it("keeps a whole value, old or new, when the process is killed mid-write", async () => {
    const dir = temp();
    let lastAcknowledged = 0;
    for (let round = 0; round < 4; round++) {
      const acknowledged = await runAndKill(path.join(fixtures, "kv-writer.mjs"), dir);
      lastAcknowledged = acknowledged[acknowledged.length - 1]!;
      const mf = new Durabox({ script, kvNamespaces: ["NS"], kvPersist: dir });
      const { value, metadata } = await (await mf.getKVNamespace("NS")).getWithMetadata("value");
      const batch = metadata as number;
      // The value and its metadata are of one put, whole.
      expect(value).toBe(String(batch % 10).repeat(256 * 1024));
      expect(batch).toBeGreaterThanOrEqual(lastAcknowledged);
      expect(batch).toBeLessThanOrEqual(lastAcknowledged + 1);
      await mf.dispose();
    }
    expect(lastAcknowledged).toBeGreaterThan(0);
  }, 60_000);
});

describe.skipIf(!requireRedisOrSkip())("KV and Cache API persistence in Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it("keeps data across runtimes", async () => {
    await survivesRestart({ kvPersist: `${redis.url}/1`, cachePersist: `${redis.url}/2` });
  });

  it("shares data between runtimes using one Redis at once", async () => {
    const options = { script, kvNamespaces: ["NS"], kvPersist: `${redis.url}/3` };
    const a = new Durabox(options);
    const b = new Durabox(options);
    await (await a.getKVNamespace("NS")).put("k", "from a");
    expect(await (await b.getKVNamespace("NS")).get("k")).toBe("from a");
    await Promise.all([a.dispose(), b.dispose()]);
  });
});
