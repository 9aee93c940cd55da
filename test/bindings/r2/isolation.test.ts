import { describe, expect, it } from "vitest";
import { TestRuntime } from "../../../src/testing/test-runtime.js";
import { R2Storage } from "../../../src/bindings/r2/r2-storage.js";
import { R2Bucket } from "../../../src/bindings/r2/bucket.js";
import { MemoryBlobStore } from "../../../src/bindings/r2/memory-blobs.js";
import type { R2ObjectBody } from "../../../src/bindings/r2/objects.js";

// A worker storing request bodies in R2, as user code does.
const script = `
  export default {
    async fetch(request, env) {
      const key = new URL(request.url).pathname.slice(1);
      if (request.method === "PUT") {
        await env.BUCKET.put(key, request.body, { httpMetadata: request.headers });
        return new Response("stored");
      }
      const object = await env.BUCKET.get(key);
      if (object === null) return new Response("missing", { status: 404 });
      const headers = new Headers();
      object.writeHttpMetadata(headers);
      headers.set("etag", object.httpEtag);
      return new Response(object.body, { headers });
    },
  };`;
const options = { script, r2Buckets: ["BUCKET"] };
const text = async (bucket: R2Bucket, key: string) => ((await bucket.get(key)) as R2ObjectBody | null)?.text() ?? null;

describe("R2 under test isolation", () => {
  it("serves the worker's R2 reads and writes, streamed through fetch", async () => {
    const runtime = new TestRuntime(options);
    const put = await runtime.durabox.dispatchFetch("http://x/note", {
      method: "PUT",
      body: "from the worker",
      headers: { "content-type": "text/plain" },
    });
    expect(await put.text()).toBe("stored");
    const got = await runtime.durabox.dispatchFetch("http://x/note");
    expect(got.headers.get("content-type")).toBe("text/plain");
    expect(await got.text()).toBe("from the worker");
    expect(await text(runtime.getR2Bucket("BUCKET"), "note")).toBe("from the worker");
    await runtime.dispose();
  });

  it("rolls a test's writes back when its scope ends, keeping what was written before (beforeAll)", async () => {
    const runtime = new TestRuntime(options);
    const bucket = runtime.getR2Bucket("BUCKET");
    runtime.enterScope(); // the describe block
    await bucket.put("kept", "from beforeAll");
    runtime.enterScope(); // a test
    await bucket.put("kept", "changed by the test");
    await bucket.put("added", "by the test");
    await bucket.delete("kept");
    const upload = await bucket.createMultipartUpload("upload");
    expect(await text(bucket, "kept")).toBeNull();
    await runtime.exitScope();
    expect(await text(bucket, "kept")).toBe("from beforeAll");
    expect(await text(bucket, "added")).toBeNull();
    expect(await bucket.list()).toMatchObject({ objects: [{ key: "kept" }] });
    await expect(upload.uploadPart(1, "x")).rejects.toThrow(/\(10024\)$/);
    // The next test sees the block's data again, and its writes roll back too.
    runtime.enterScope();
    await bucket.put("kept", "second test");
    await runtime.exitScope();
    expect(await text(bucket, "kept")).toBe("from beforeAll");
    await runtime.exitScope();
    expect(await text(bucket, "kept")).toBeNull();
    await runtime.dispose();
  });

  it("is the same bucket from the worker and from getR2Bucket, per bucket name", async () => {
    const runtime = new TestRuntime({ script, r2Buckets: { BUCKET: "shared", ALIAS: "shared", OTHER: "other" } });
    await runtime.getR2Bucket("ALIAS").put("note", "via alias");
    expect(await (await runtime.durabox.dispatchFetch("http://x/note")).text()).toBe("via alias");
    expect(await runtime.getR2Bucket("OTHER").head("note")).toBeNull();
    expect(() => runtime.getR2Bucket("NOPE")).toThrow('No R2 bucket binding named "NOPE". R2 bindings: BUCKET, ALIAS, OTHER.');
    await runtime.dispose();
  });
});

describe("R2Storage layers", () => {
  const open = () => {
    const storage = new R2Storage({ kind: "memory" });
    return { storage, bucket: new R2Bucket(storage, "b"), blobs: storage.blobs as MemoryBlobStore };
  };

  it("pops a layer in O(1) of what is stored: bodies below are never copied, bodies written in it are dropped", async () => {
    const { storage, bucket, blobs } = open();
    for (let i = 0; i < 100; i++) await bucket.put(`key${i}`, `value ${i}`);
    expect(blobs.count).toBe(100);
    storage.pushLayer();
    await bucket.put("key0", "replaced");
    await bucket.delete("key1");
    await bucket.put("new", "new");
    // The replaced and deleted bodies stay for the layer below; the new ones are extra.
    expect(blobs.count).toBe(102);
    storage.popLayer();
    expect(blobs.count).toBe(100);
    expect(await text(bucket, "key0")).toBe("value 0");
    expect(await text(bucket, "key1")).toBe("value 1");
    expect(await bucket.head("new")).toBeNull();
    await storage.dispose();
  });

  it("frees a replaced body at once when no layer can still see it", async () => {
    const { storage, bucket, blobs } = open();
    await bucket.put("k", "1");
    await bucket.put("k", "2");
    expect(blobs.count).toBe(1);
    storage.pushLayer();
    await bucket.put("k", "3");
    await bucket.put("k", "4"); // "3" was written in this layer: nothing else sees it
    expect(blobs.count).toBe(2);
    const upload = await bucket.createMultipartUpload("m");
    await upload.uploadPart(1, "unused");
    await upload.abort();
    expect(blobs.count).toBe(2);
    storage.popLayer();
    await bucket.delete("k");
    expect(blobs.count).toBe(0);
    await storage.dispose();
  });

  it("deleteAll() clears every bucket's objects and uploads", async () => {
    const { storage, bucket, blobs } = open();
    const other = new R2Bucket(storage, "other");
    await bucket.put("a", "1");
    await other.put("b", "2");
    const upload = await bucket.createMultipartUpload("m");
    await upload.uploadPart(1, "part");
    await storage.deleteAll();
    expect((await bucket.list()).objects).toEqual([]);
    expect((await other.list()).objects).toEqual([]);
    await expect(upload.uploadPart(2, "x")).rejects.toThrow(/\(10024\)$/);
    expect(blobs.count).toBe(0);
    await storage.dispose();
  });
});

describe("R2 under concurrent writes", () => {
  it("keeps one body per key when puts of it race", async () => {
    const storage = new R2Storage({ kind: "memory" });
    const bucket = new R2Bucket(storage, "b");
    const blobs = storage.blobs as MemoryBlobStore;
    await bucket.put("k", "first");
    await Promise.all(Array.from({ length: 5 }, (_, i) => bucket.put("k", `racer ${i}`)));
    expect(blobs.count).toBe(1);
    expect(await text(bucket, "k")).toMatch(/^racer \d$/);
    await storage.dispose();
  });

  it("keeps every part of parts uploaded at once", async () => {
    const storage = new R2Storage({ kind: "memory" });
    const bucket = new R2Bucket(storage, "b");
    const blobs = storage.blobs as MemoryBlobStore;
    const upload = await bucket.createMultipartUpload("parts");
    const MiB = 1024 * 1024;
    const bodies = [new Uint8Array(5 * MiB).fill(1), new Uint8Array(5 * MiB).fill(2), "end"];
    const parts = await Promise.all(bodies.map((body, i) => upload.uploadPart(i + 1, body)));
    expect((await upload.complete(parts)).size).toBe(10 * MiB + 3);
    expect((await text(bucket, "parts"))!.slice(-4)).toBe("\u0002end");
    expect(blobs.count).toBe(3);
    await storage.dispose();
  });
});
