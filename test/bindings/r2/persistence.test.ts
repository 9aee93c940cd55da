import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import type { R2ObjectBody } from "../../../src/bindings/r2/objects.js";
import { runAndKill } from "../../helpers/killed-writer.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../../helpers/redis.js";

const fixtures = fileURLToPath(new URL("../../../fixtures/persistence/", import.meta.url));
const temp = () => mkdtempSync(path.join(tmpdir(), "durabox-r2-"));
const MiB = 1024 * 1024;
const open = (r2Persist: string | boolean, cwd?: string) =>
  new Durabox({ script: "export default {}", r2Buckets: { BUCKET: "bucket" }, r2Persist }, cwd === undefined ? {} : { cwd });

/** Writes and reads back through one runtime, then through a new one over the same store. */
async function keepsDataAcrossRuntimes(r2Persist: string): Promise<void> {
  const first = open(r2Persist);
  const bucket = await first.getR2Bucket("BUCKET");
  await bucket.put("plain", "hello", { httpMetadata: { contentType: "text/plain" }, customMetadata: { a: "1" } });
  await bucket.put("gone", "x");
  await bucket.delete("gone");
  const big = new Uint8Array(3 * MiB).map((_, i) => i % 251);
  await bucket.put("big", big);
  const upload = await bucket.createMultipartUpload("multi");
  const parts = [await upload.uploadPart(1, new Uint8Array(5 * MiB).fill(7)), await upload.uploadPart(2, "end")];
  const pending = await bucket.createMultipartUpload("pending");
  await pending.uploadPart(1, "part one");
  await first.dispose();

  const second = open(r2Persist);
  const again = await second.getR2Bucket("BUCKET");
  const plain = (await again.get("plain")) as R2ObjectBody;
  expect(await plain.text()).toBe("hello");
  expect(plain.httpMetadata).toEqual({ contentType: "text/plain" });
  expect(plain.customMetadata).toEqual({ a: "1" });
  expect(await again.head("gone")).toBeNull();
  // Buffer.equals: toEqual walks 3 MiB element by element.
  expect(Buffer.from(await ((await again.get("big")) as R2ObjectBody).arrayBuffer()).equals(big)).toBe(true);
  const range = (await again.get("big", { range: { offset: MiB + 3, length: 5 } })) as R2ObjectBody;
  expect([...new Uint8Array(await range.arrayBuffer())]).toEqual([...big.subarray(MiB + 3, MiB + 8)]);
  // An upload left open continues in the next runtime.
  const resumed = again.resumeMultipartUpload("multi", upload.uploadId);
  const object = await resumed.complete(parts);
  expect(object.size).toBe(5 * MiB + 3);
  const part = await again.resumeMultipartUpload("pending", pending.uploadId).uploadPart(2, " and two");
  expect(part.partNumber).toBe(2);
  expect((await again.list()).objects.map((o) => o.key)).toEqual(["big", "multi", "plain"]);
  await second.dispose();
}

describe("R2 file persistence", () => {
  it("keeps objects, metadata and open uploads across runtimes", async () => {
    await keepsDataAcrossRuntimes(temp());
  });

  it("r2Persist: true keeps data in ./.durabox/r2", async () => {
    const cwd = temp();
    const mf = open(true, cwd);
    await (await mf.getR2Bucket("BUCKET")).put("k", "v");
    await mf.dispose();
    expect(readdirSync(path.join(cwd, ".durabox", "r2", "blobs"))).toHaveLength(1);
  });

  it("keeps one body file per stored body, and removes the body a put replaces", async () => {
    const dir = temp();
    const mf = open(dir);
    const bucket = await mf.getR2Bucket("BUCKET");
    await bucket.put("a", "1");
    await bucket.put("a", "2");
    await bucket.put("b", "3");
    expect(readdirSync(path.join(dir, "blobs"))).toHaveLength(2);
    await bucket.delete(["a", "b"]);
    expect(readdirSync(path.join(dir, "blobs"))).toHaveLength(0);
    await mf.dispose();
  });

  it("never leaves a torn body when the writing process is killed at random moments", async () => {
    const dir = temp();
    let lastAcknowledged = 0;
    for (let round = 0; round < 5; round++) {
      const acknowledged = await runAndKill(path.join(fixtures, "r2-writer.mjs"), dir);
      lastAcknowledged = acknowledged[acknowledged.length - 1]!;

      const mf = open(dir);
      const bucket = await mf.getR2Bucket("BUCKET");
      const object = (await bucket.get("current")) as R2ObjectBody;
      const batch = Number(object.customMetadata!.batch);
      // The last acknowledged put, or the one in flight: whole either way.
      expect(batch).toBeGreaterThanOrEqual(lastAcknowledged);
      expect(batch).toBeLessThanOrEqual(lastAcknowledged + 1);
      const body = new Uint8Array(await object.arrayBuffer());
      expect(body.length).toBe(256 * 1024);
      expect(Buffer.from(body).equals(new Uint8Array(body.length).fill(batch % 256))).toBe(true);
      expect(createHash("md5").update(body).digest("hex")).toBe(object.etag);
      // A body being written when the process died is swept at start: one file, the stored body's.
      expect(readdirSync(path.join(dir, "blobs"))).toHaveLength(1);
      await mf.dispose();
    }
    expect(lastAcknowledged).toBeGreaterThan(0);
  });
});

describe.skipIf(!requireRedisOrSkip())("R2 Redis persistence", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it("keeps objects, metadata and open uploads across runtimes", async () => {
    await keepsDataAcrossRuntimes(`${redis.url}/1`);
  });

  it("rolls a layer back over Redis, dropping the bodies written in it", async () => {
    const mf = open(`${redis.url}/2`);
    const bucket = await mf.getR2Bucket("BUCKET");
    await bucket.put("k", "below");
    mf.internals.pushLayer();
    await bucket.put("k", "in the layer");
    expect(await ((await bucket.get("k")) as R2ObjectBody).text()).toBe("in the layer");
    await mf.internals.popLayer();
    expect(await ((await bucket.get("k")) as R2ObjectBody).text()).toBe("below");
    await mf.dispose();
  });
});
