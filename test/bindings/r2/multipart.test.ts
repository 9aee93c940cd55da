import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import type { R2Bucket } from "../../../src/bindings/r2/bucket.js";
import type { R2ObjectBody } from "../../../src/bindings/r2/objects.js";

const MiB = 1024 * 1024;
let mf: Durabox;
let bucket: R2Bucket;
beforeAll(async () => {
  mf = new Durabox({ script: "export default {}", r2Buckets: { BUCKET: "bucket" } });
  bucket = await mf.getR2Bucket("BUCKET");
});
afterAll(() => mf.dispose());

const filled = (size: number, byte: number) => new Uint8Array(size).fill(byte);
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
};

describe("R2 multipart uploads", () => {
  it("completes parts into one object, in part-number order, with the multipart etag", async () => {
    const upload = await bucket.createMultipartUpload("big", {
      httpMetadata: { contentType: "application/octet-stream" },
      customMetadata: { from: "parts" },
    });
    expect(upload.key).toBe("big");
    expect(typeof upload.uploadId).toBe("string");
    const second = await upload.uploadPart(2, filled(5 * MiB, 2));
    const first = await upload.uploadPart(1, filled(5 * MiB, 1));
    const last = await upload.uploadPart(3, "tail");
    expect(first).toEqual({ partNumber: 1, etag: expect.any(String) });
    const object = await upload.complete([second, last, first]);
    expect(object.size).toBe(10 * MiB + 4);
    const md5s = Buffer.concat([first, second, last].map((p) => Buffer.from(p.etag, "hex")));
    expect(object.etag).toBe(`${createHash("md5").update(md5s).digest("hex")}-3`);
    expect(object.customMetadata).toEqual({ from: "parts" });

    const whole = new Uint8Array(await ((await bucket.get("big")) as R2ObjectBody).arrayBuffer());
    expect(whole.length).toBe(10 * MiB + 4);
    expect([whole[0], whole[5 * MiB - 1], whole[5 * MiB], whole[10 * MiB - 1]]).toEqual([1, 1, 2, 2]);
    expect(new TextDecoder().decode(whole.subarray(10 * MiB))).toBe("tail");
    // A range across the boundary between two parts.
    const across = (await bucket.get("big", { range: { offset: 5 * MiB - 2, length: 4 } })) as R2ObjectBody;
    expect([...new Uint8Array(await across.arrayBuffer())]).toEqual([1, 1, 2, 2]);
    const streamed = (await bucket.get("big", { range: { suffix: 6 } })) as R2ObjectBody;
    expect(await new Response(streamed.body).text()).toBe("\u0002\u0002tail");
  });

  it("resumes an upload by id, and a part uploaded again replaces the first", async () => {
    const upload = await bucket.createMultipartUpload("resumed");
    await upload.uploadPart(1, "first try");
    const resumed = bucket.resumeMultipartUpload("resumed", upload.uploadId);
    const part = await resumed.uploadPart(1, "second try");
    await resumed.complete([part]);
    expect(await ((await bucket.get("resumed")) as R2ObjectBody).text()).toBe("second try");
  });

  it("refuses a non-final part under 5 MiB: EntityTooSmall (10011)", async () => {
    const upload = await bucket.createMultipartUpload("small");
    const parts = [await upload.uploadPart(1, filled(5 * MiB - 1, 1)), await upload.uploadPart(2, "end")];
    expect((await rejection(upload.complete(parts))).message).toBe(
      "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)",
    );
    expect(await bucket.head("small")).toBeNull();
  });

  it("refuses non-final parts of different sizes: 10048", async () => {
    const upload = await bucket.createMultipartUpload("uneven");
    const parts = [
      await upload.uploadPart(1, filled(5 * MiB, 1)),
      await upload.uploadPart(2, filled(6 * MiB, 1)),
      await upload.uploadPart(3, "end"),
    ];
    expect((await rejection(upload.complete(parts))).message).toBe(
      "completeMultipartUpload: There was a problem with the multipart upload. (10048)",
    );
  });

  it("refuses a part it does not hold (wrong etag or number): InvalidPart (10025)", async () => {
    const upload = await bucket.createMultipartUpload("invalid");
    const part = await upload.uploadPart(1, "x");
    expect((await rejection(upload.complete([{ partNumber: 1, etag: "nope" }]))).message).toBe(
      "completeMultipartUpload: One or more of the specified parts could not be found. (10025)",
    );
    expect((await rejection(upload.complete([{ ...part, partNumber: 2 }]))).message).toMatch(/\(10025\)$/);
  });

  it("aborts: the upload is gone (NoSuchUpload, 10024)", async () => {
    const upload = await bucket.createMultipartUpload("aborted");
    await upload.uploadPart(1, "x");
    await upload.abort();
    expect((await rejection(upload.uploadPart(2, "y"))).message).toBe("uploadPart: The specified multipart upload does not exist. (10024)");
    expect((await rejection(upload.complete([]))).message).toBe(
      "completeMultipartUpload: The specified multipart upload does not exist. (10024)",
    );
    expect((await rejection(bucket.resumeMultipartUpload("aborted", "unknown-id").abort())).message).toBe(
      "abortMultipartUpload: The specified multipart upload does not exist. (10024)",
    );
    // An upload id is for its own key only.
    const other = await bucket.createMultipartUpload("one-key");
    expect((await rejection(bucket.resumeMultipartUpload("another-key", other.uploadId).uploadPart(1, "x"))).message).toMatch(/\(10024\)$/);
  });

  it("refuses part numbers outside 1..10000 with workerd's TypeError", async () => {
    const upload = await bucket.createMultipartUpload("numbers");
    await expect(upload.uploadPart(0, "x")).rejects.toThrow(
      new TypeError("Part number must be between 1 and 10000 (inclusive). Actual value was: 0"),
    );
    await expect(upload.uploadPart(10001, "x")).rejects.toThrow(TypeError);
  });

  it("checks the key and metadata when the upload is created", async () => {
    expect((await rejection(bucket.createMultipartUpload("k".repeat(1025)))).message).toBe(
      "createMultipartUpload: The specified object name is not valid. (10020)",
    );
    expect((await rejection(bucket.createMultipartUpload("m", { customMetadata: { a: "b".repeat(2048) } }))).message).toBe(
      "createMultipartUpload: Your metadata headers exceed the maximum allowed metadata size. (10012)",
    );
  });
});
