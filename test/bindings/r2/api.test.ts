import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Durabox } from "../../../src/index.js";
import type { R2Bucket } from "../../../src/bindings/r2/bucket.js";
import type { R2ObjectBody } from "../../../src/bindings/r2/objects.js";
import { FixedLengthStream } from "../../../src/worker/fixed-length-stream.js";

const script = "export default { fetch() { return new Response('ok'); } }";
let mf: Durabox;
let bucket: R2Bucket;
beforeAll(async () => {
  mf = new Durabox({ script, r2Buckets: { BUCKET: "bucket" } });
  bucket = await mf.getR2Bucket("BUCKET");
});
afterAll(() => mf.dispose());

const md5 = (text: string | Uint8Array) => createHash("md5").update(text).digest("hex");
const sha = (algorithm: string, text: string) => createHash(algorithm).update(text).digest("hex");
const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
};

describe("R2 put, head and get", () => {
  it("stores a string and reads it back with its metadata", async () => {
    const put = (await bucket.put("a.txt", "hello", {
      httpMetadata: { contentType: "text/plain", cacheExpiry: new Date(1_000_000) },
      customMetadata: { owner: "me" },
    }))!;
    expect(put.key).toBe("a.txt");
    expect(put.size).toBe(5);
    expect(put.etag).toBe(md5("hello"));
    expect(put.httpEtag).toBe(`"${md5("hello")}"`);
    expect(put.version).toMatch(/^[0-9a-f]{32}$/);
    expect(put.uploaded).toBeInstanceOf(Date);
    expect(put.checksums.toJSON()).toEqual({ md5: md5("hello") });
    expect(put.storageClass).toBe("Standard");

    const head = (await bucket.head("a.txt"))!;
    expect(head).not.toHaveProperty("body");
    expect(head.httpMetadata).toEqual({ contentType: "text/plain", cacheExpiry: new Date(1_000_000) });
    expect(head.customMetadata).toEqual({ owner: "me" });
    expect(head.version).toBe(put.version);

    const got = (await bucket.get("a.txt")) as R2ObjectBody;
    expect(got.bodyUsed).toBe(false);
    expect(await got.text()).toBe("hello");
    expect(got.bodyUsed).toBe(true);
    expect(got.range).toEqual({ offset: 0, length: 5 });
    await expect(got.text()).rejects.toThrow(
      new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice."),
    );
    const headers = new Headers();
    got.writeHttpMetadata(headers);
    expect(Object.fromEntries(headers)).toEqual({ "content-type": "text/plain", expires: new Date(1_000_000).toUTCString() });
  });

  it("takes every kind of value: ArrayBuffer, views, Blob, ReadableStream, null", async () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    await bucket.put("buffer", bytes.buffer);
    await bucket.put("view", new DataView(bytes.buffer, 1, 2));
    await bucket.put("blob", new Blob(["blob text"]));
    // A stream of known length (stream-length.test.ts has the rule).
    const { readable, writable } = new FixedLengthStream(6);
    const writer = writable.getWriter();
    void writer.write(new TextEncoder().encode("str"));
    void writer.write(new TextEncoder().encode("eam"));
    void writer.close();
    await bucket.put("stream", readable);
    await bucket.put("empty", null);
    expect(new Uint8Array(await ((await bucket.get("buffer")) as R2ObjectBody).arrayBuffer())).toEqual(bytes);
    expect(new Uint8Array(await ((await bucket.get("view")) as R2ObjectBody).arrayBuffer())).toEqual(new Uint8Array([2, 3]));
    expect(await ((await bucket.get("blob")) as R2ObjectBody).text()).toBe("blob text");
    expect(await ((await bucket.get("stream")) as R2ObjectBody).text()).toBe("stream");
    expect((await bucket.head("empty"))!.size).toBe(0);
    expect(await ((await bucket.get("empty")) as R2ObjectBody).text()).toBe("");
  });

  it("copies what it is given: changing the buffer later does not change the object", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    await bucket.put("copied", bytes);
    bytes[0] = 9;
    expect(new Uint8Array(await ((await bucket.get("copied")) as R2ObjectBody).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("streams a body, and json(), blob(), arrayBuffer() read it", async () => {
    await bucket.put("data.json", JSON.stringify({ a: 1 }), { httpMetadata: new Headers({ "content-type": "application/json" }) });
    const streamed = (await bucket.get("data.json")) as R2ObjectBody;
    expect(await new Response(streamed.body).json()).toEqual({ a: 1 });
    expect(streamed.bodyUsed).toBe(true);
    expect(await ((await bucket.get("data.json")) as R2ObjectBody).json()).toEqual({ a: 1 });
    const blob = await ((await bucket.get("data.json")) as R2ObjectBody).blob();
    expect(blob.type).toBe("application/json");
    expect(await blob.text()).toBe('{"a":1}');
  });

  it("answers null for a missing key", async () => {
    expect(await bucket.head("missing")).toBeNull();
    expect(await bucket.get("missing")).toBeNull();
  });

  it("takes httpMetadata from request headers", async () => {
    const headers = new Headers({
      "content-type": "image/png",
      "content-language": "en",
      "content-disposition": "inline",
      "content-encoding": "gzip",
      "cache-control": "max-age=60",
      expires: "Wed, 21 Oct 2015 07:28:00 GMT",
      "x-other": "ignored",
    });
    await bucket.put("png", "x", { httpMetadata: headers });
    expect((await bucket.head("png"))!.httpMetadata).toEqual({
      contentType: "image/png",
      contentLanguage: "en",
      contentDisposition: "inline",
      contentEncoding: "gzip",
      cacheControl: "max-age=60",
      cacheExpiry: new Date("Wed, 21 Oct 2015 07:28:00 GMT"),
    });
  });

  it("refuses a key over 1024 bytes and custom metadata over 2 KiB, with R2's errors", async () => {
    const long = "k".repeat(1025);
    expect((await rejection(bucket.put(long, "x"))).message).toBe("put: The specified object name is not valid. (10020)");
    expect((await rejection(bucket.get(long))).message).toBe("get: The specified object name is not valid. (10020)");
    expect((await rejection(bucket.head("é".repeat(513)))).message).toBe("head: The specified object name is not valid. (10020)");
    expect(await bucket.put("k".repeat(1024), "x")).not.toBeNull();
    const error = await rejection(bucket.put("meta", "x", { customMetadata: { key: "v".repeat(2046) } }));
    expect(error.message).toBe("put: Your metadata headers exceed the maximum allowed metadata size. (10012)");
    expect(error).toBeInstanceOf(Error);
    expect(await bucket.put("meta", "x", { customMetadata: { key: "v".repeat(2045) } })).not.toBeNull();
  });
});

describe("R2 checksums", () => {
  const algorithms = [
    ["md5", "MD5", "md5"],
    ["sha1", "SHA-1", "sha1"],
    ["sha256", "SHA-256", "sha256"],
    ["sha384", "SHA-384", "sha384"],
    ["sha512", "SHA-512", "sha512"],
  ] as const;

  it.each(algorithms)("verifies %s, as hex or bytes, and stores it", async (option, _name, algorithm) => {
    const hex = sha(algorithm, "body");
    const put = (await bucket.put(`sum-${option}`, "body", { [option]: hex }))!;
    expect(put.checksums.toJSON()[option]).toBe(hex);
    expect(Buffer.from(put.checksums[option]!).toString("hex")).toBe(hex);
    const fromBytes = await bucket.put(`sum-${option}-bytes`, "body", { [option]: Buffer.from(hex, "hex") });
    expect(fromBytes!.checksums.toJSON()[option]).toBe(hex);
  });

  it.each(algorithms)("refuses a wrong %s with R2's BadDigest (10037), storing nothing", async (option, name, algorithm) => {
    const wrong = sha(algorithm, "other");
    const error = await rejection(bucket.put(`bad-${option}`, "body", { [option]: wrong }));
    expect(error.message).toBe(
      `put: The ${name} checksum you specified did not match what we received.\n` +
        `You provided a ${name} checksum with value: ${wrong}\n` +
        `Actual ${name} was: ${sha(algorithm, "body")} (10037)`,
    );
    expect(await bucket.head(`bad-${option}`)).toBeNull();
  });

  it("refuses malformed checksums and more than one, as workerd does", async () => {
    await expect(bucket.put("x", "body", { md5: "abc" })).rejects.toThrow(new TypeError("MD5 is 32 hex characters, not 3"));
    await expect(bucket.put("x", "body", { sha1: new Uint8Array(3) })).rejects.toThrow(new TypeError("SHA-1 is 20 bytes, not 3"));
    await expect(bucket.put("x", "body", { sha256: "z".repeat(64) })).rejects.toThrow(
      new TypeError("Provided SHA-256 wasn't a valid hex string"),
    );
    await expect(bucket.put("x", "body", { md5: md5("body"), sha1: sha("sha1", "body") })).rejects.toThrow(
      new TypeError("You cannot specify multiple hashing algorithms."),
    );
  });
});

describe("R2 ranges", () => {
  beforeAll(async () => {
    await bucket.put("digits", "0123456789");
  });
  const read = async (options: object) => {
    const object = (await bucket.get("digits", options)) as R2ObjectBody;
    return { text: await object.text(), range: object.range };
  };

  it("reads offset/length, offset alone, length alone, suffix", async () => {
    expect(await read({ range: { offset: 2, length: 3 } })).toEqual({ text: "234", range: { offset: 2, length: 3 } });
    expect(await read({ range: { offset: 7 } })).toEqual({ text: "789", range: { offset: 7, length: 3 } });
    expect(await read({ range: { length: 2 } })).toEqual({ text: "01", range: { offset: 0, length: 2 } });
    expect(await read({ range: { suffix: 4 } })).toEqual({ text: "6789", range: { offset: 6, length: 4 } });
    expect(await read({ range: { offset: 8, length: 100 } })).toEqual({ text: "89", range: { offset: 8, length: 2 } });
    expect(await read({ range: { suffix: 100 } })).toEqual({ text: "0123456789", range: { offset: 0, length: 10 } });
  });

  it("reads a Range header; a header of several ranges reads the whole object", async () => {
    expect((await read({ range: new Headers({ range: "bytes=1-3" }) })).text).toBe("123");
    expect((await read({ range: new Headers({ range: "bytes=5-" }) })).text).toBe("56789");
    expect((await read({ range: new Headers({ range: "bytes=-2" }) })).text).toBe("89");
    expect((await read({ range: new Headers({ range: "bytes=0-1,3-4" }) })).text).toBe("0123456789");
  });

  it("refuses a range outside the object with R2's InvalidRange (10039)", async () => {
    const message = "get: The requested range is not satisfiable (10039)";
    expect((await rejection(bucket.get("digits", { range: { offset: 10 } }))).message).toBe(message);
    expect((await rejection(bucket.get("digits", { range: { offset: 2, length: 0 } }))).message).toBe(message);
    expect((await rejection(bucket.get("digits", { range: new Headers({ range: "bytes=20-30" }) }))).message).toBe(message);
  });

  it("refuses malformed ranges with workerd's RangeError/TypeError", async () => {
    await expect(bucket.get("digits", { range: { offset: -1 } })).rejects.toThrow(
      new RangeError("Invalid range. Starting offset (-1) must be greater than or equal to 0."),
    );
    await expect(bucket.get("digits", { range: { offset: 0.5 } })).rejects.toThrow(
      new RangeError("Invalid range. Starting offset (0.5) must be an integer, not floating point."),
    );
    await expect(bucket.get("digits", { range: { length: -1 } })).rejects.toThrow(
      new RangeError("Invalid range. Length (-1) must be greater than or equal to 0."),
    );
    await expect(bucket.get("digits", { range: { suffix: -1 } })).rejects.toThrow(
      new RangeError("Invalid suffix. Suffix (-1) must be greater than or equal to 0."),
    );
    await expect(bucket.get("digits", { range: { suffix: 1, offset: 0 } })).rejects.toThrow(
      new TypeError("Suffix is incompatible with offset."),
    );
    await expect(bucket.get("digits", { range: { suffix: 1, length: 1 } })).rejects.toThrow(
      new TypeError("Suffix is incompatible with length."),
    );
  });
});

describe("R2 conditional operations (onlyIf)", () => {
  let etag: string;
  let uploaded: Date;
  beforeAll(async () => {
    const put = (await bucket.put("cond", "v1"))!;
    etag = put.etag;
    uploaded = put.uploaded;
  });

  it("get returns the object without a body when a condition fails", async () => {
    const failed = await bucket.get("cond", { onlyIf: { etagMatches: "nope" } });
    expect(failed).not.toBeNull();
    expect(failed).not.toHaveProperty("body");
    expect(failed!.etag).toBe(etag);
    const held = (await bucket.get("cond", { onlyIf: { etagMatches: etag } })) as R2ObjectBody;
    expect(await held.text()).toBe("v1");
    expect(await bucket.get("cond", { onlyIf: { etagDoesNotMatch: etag } })).not.toHaveProperty("body");
    expect(await bucket.get("cond", { onlyIf: { etagDoesNotMatch: "*" } })).not.toHaveProperty("body");
    expect(await bucket.get("cond", { onlyIf: { etagMatches: "*" } })).toHaveProperty("body");
  });

  it("compares upload times", async () => {
    const before = new Date(uploaded.getTime() - 1000);
    const after = new Date(uploaded.getTime() + 1000);
    expect(await bucket.get("cond", { onlyIf: { uploadedAfter: before } })).toHaveProperty("body");
    expect(await bucket.get("cond", { onlyIf: { uploadedAfter: after } })).not.toHaveProperty("body");
    expect(await bucket.get("cond", { onlyIf: { uploadedBefore: after } })).toHaveProperty("body");
    expect(await bucket.get("cond", { onlyIf: { uploadedBefore: before } })).not.toHaveProperty("body");
    // A matching etag overrides uploadedBefore, as If-Match overrides If-Unmodified-Since.
    expect(await bucket.get("cond", { onlyIf: { etagMatches: etag, uploadedBefore: before } })).toHaveProperty("body");
  });

  it("reads conditions from request headers", async () => {
    const get = (headers: Record<string, string>) => bucket.get("cond", { onlyIf: new Headers(headers) });
    expect(await get({ "if-match": `"${etag}"` })).toHaveProperty("body");
    expect(await get({ "if-match": `"other", "${etag}"` })).toHaveProperty("body");
    expect(await get({ "if-match": '"other"' })).not.toHaveProperty("body");
    expect(await get({ "if-none-match": `W/"${etag}"` })).not.toHaveProperty("body");
    expect(await get({ "if-none-match": "*" })).not.toHaveProperty("body");
    expect(await get({ "if-modified-since": new Date(uploaded.getTime() + 2000).toUTCString() })).not.toHaveProperty("body");
    expect(await get({ "if-unmodified-since": new Date(uploaded.getTime() + 2000).toUTCString() })).toHaveProperty("body");
  });

  it("refuses a quoted etag in an R2Conditional", async () => {
    await expect(bucket.get("cond", { onlyIf: { etagMatches: `"${etag}"` } })).rejects.toThrow(
      new TypeError(`Conditional ETag should not be wrapped in quotes ("${etag}").`),
    );
  });

  it("put returns null and writes nothing when a condition fails", async () => {
    expect(await bucket.put("cond", "v2", { onlyIf: { etagMatches: "nope" } })).toBeNull();
    expect(await ((await bucket.get("cond")) as R2ObjectBody).text()).toBe("v1");
    // Create-only: If-None-Match: *
    expect(await bucket.put("cond", "v2", { onlyIf: new Headers({ "if-none-match": "*" }) })).toBeNull();
    expect(await bucket.put("fresh", "v1", { onlyIf: new Headers({ "if-none-match": "*" }) })).not.toBeNull();
    expect(await bucket.put("absent", "v1", { onlyIf: { etagMatches: "x" } })).toBeNull();
    expect(await bucket.head("absent")).toBeNull();
    const replaced = await bucket.put("cond", "v2", { onlyIf: { etagMatches: etag } });
    expect(replaced!.etag).toBe(md5("v2"));
  });
});

describe("R2 delete and list", () => {
  let listed: R2Bucket;
  beforeAll(async () => {
    const other = new Durabox({ script, r2Buckets: ["LIST"] });
    listed = await other.getR2Bucket("LIST");
    for (const key of ["a", "b/1", "b/2", "b/3/x", "c", "d/1", "e"]) {
      await listed.put(key, key, { httpMetadata: { contentType: "text/plain" }, customMetadata: { k: key } });
    }
    return () => other.dispose();
  });
  const keys = (result: { objects: { key: string }[] }) => result.objects.map((o) => o.key);

  it("deletes one key or many", async () => {
    await bucket.put("d1", "1");
    await bucket.put("d2", "2");
    await bucket.put("d3", "3");
    await bucket.delete("d1");
    expect(await bucket.head("d1")).toBeNull();
    await bucket.delete(["d2", "d3", "never"]);
    expect(await bucket.head("d2")).toBeNull();
    expect(await bucket.head("d3")).toBeNull();
  });

  it("lists in key order, with prefix, limit, cursor and startAfter", async () => {
    expect(keys(await listed.list())).toEqual(["a", "b/1", "b/2", "b/3/x", "c", "d/1", "e"]);
    expect(keys(await listed.list({ prefix: "b/" }))).toEqual(["b/1", "b/2", "b/3/x"]);
    const first = await listed.list({ limit: 3 });
    expect(keys(first)).toEqual(["a", "b/1", "b/2"]);
    expect(first.truncated).toBe(true);
    const second = await listed.list({ limit: 3, cursor: first.cursor });
    expect(keys(second)).toEqual(["b/3/x", "c", "d/1"]);
    const third = await listed.list({ limit: 3, cursor: second.cursor });
    expect(keys(third)).toEqual(["e"]);
    expect(third.truncated).toBe(false);
    expect(third.cursor).toBeUndefined();
    expect(keys(await listed.list({ startAfter: "b/2" }))).toEqual(["b/3/x", "c", "d/1", "e"]);
  });

  it("groups keys by a delimiter into delimitedPrefixes", async () => {
    const result = await listed.list({ delimiter: "/" });
    expect(keys(result)).toEqual(["a", "c", "e"]);
    expect(result.delimitedPrefixes).toEqual(["b/", "d/"]);
    const nested = await listed.list({ prefix: "b/", delimiter: "/" });
    expect(keys(nested)).toEqual(["b/1", "b/2"]);
    expect(nested.delimitedPrefixes).toEqual(["b/3/"]);
    // A prefix counts toward the limit, and the cursor continues after its keys.
    const page = await listed.list({ delimiter: "/", limit: 2 });
    expect([keys(page), page.delimitedPrefixes, page.truncated]).toEqual([["a"], ["b/"], true]);
    const rest = await listed.list({ delimiter: "/", cursor: page.cursor });
    expect([keys(rest), rest.delimitedPrefixes]).toEqual([["c", "e"], ["d/"]]);
  });

  it("gives metadata only when included", async () => {
    const [plain] = (await listed.list({ limit: 1 })).objects;
    expect(plain!.httpMetadata).toBeUndefined();
    expect(plain!.customMetadata).toBeUndefined();
    expect(() => plain!.writeHttpMetadata(new Headers())).toThrow(
      new TypeError("HTTP metadata unknown for key `a`. Did you forget to add 'httpMetadata' to `include` when listing?"),
    );
    const [full] = (await listed.list({ limit: 1, include: ["httpMetadata", "customMetadata"] })).objects;
    expect(full!.httpMetadata).toEqual({ contentType: "text/plain" });
    expect(full!.customMetadata).toEqual({ k: "a" });
    await expect(listed.list({ include: ["everything" as "httpMetadata"] })).rejects.toThrow(
      new RangeError("Unsupported include value everything"),
    );
  });

  it("refuses a limit outside 1..1000 with R2's InvalidMaxKeys (10022)", async () => {
    for (const limit of [0, 1001, 1.5]) {
      expect((await rejection(listed.list({ limit }))).message).toBe("list: MaxKeys params must be positive integer <= 1000. (10022)");
    }
  });
});
