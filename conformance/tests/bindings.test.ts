// KV, R2 and D1 bindings from the wrangler file: basics, and the messages of
// issue 19, item 7.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rejection, unique } from "./helpers";

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

describe("kv", () => {
  it("put, get, list and delete", async () => {
    const prefix = unique("kv");
    await env.KV.put(`${prefix}:a`, "1");
    await env.KV.put(`${prefix}:b`, JSON.stringify({ b: 2 }), { metadata: { m: true } });
    expect(await env.KV.get(`${prefix}:a`)).toBe("1");
    expect(await env.KV.get(`${prefix}:b`, "json")).toEqual({ b: 2 });
    const listed = await env.KV.list({ prefix });
    expect(listed.keys.map((key) => [key.name, key.metadata ?? null])).toEqual([
      [`${prefix}:a`, null],
      [`${prefix}:b`, { m: true }],
    ]);
    await env.KV.delete(`${prefix}:a`);
    expect(await env.KV.get(`${prefix}:a`)).toBeNull();
  });

  it("getWithMetadata", async () => {
    const key = unique("kv");
    await env.KV.put(key, "v", { metadata: { n: 1 } });
    expect(await env.KV.getWithMetadata(key)).toMatchObject({ value: "v", metadata: { n: 1 } });
  });

  it("list with a limit over 1000 rejects", async () => {
    const error = await rejection(env.KV.list({ limit: 1001 }));
    expect(error?.message).toBe("KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.");
  });

  it("an expirationTtl under 60 rejects", async () => {
    const error = await rejection(env.KV.put(unique("kv"), "v", { expirationTtl: 30 }));
    expect(error?.message).toBe("KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60.");
  });

  it("a key over 512 bytes rejects", async () => {
    const error = await rejection(env.KV.put("k".repeat(513), "v"));
    expect(error?.message).toBe("KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.");
  });
});

describe("r2", () => {
  it("put, get, head, list and delete", async () => {
    const key = unique("r2");
    const put = await env.BUCKET.put(key, "hello", { httpMetadata: { contentType: "text/plain" }, customMetadata: { a: "b" } });
    expect(put?.size).toBe(5);
    const object = await env.BUCKET.get(key);
    expect(await object?.text()).toBe("hello");
    const head = await env.BUCKET.head(key);
    expect([head?.httpMetadata?.contentType, head?.customMetadata]).toEqual(["text/plain", { a: "b" }]);
    expect((await env.BUCKET.list({ prefix: key })).objects.map((listed) => listed.key)).toEqual([key]);
    await env.BUCKET.delete(key);
    expect(await env.BUCKET.get(key)).toBeNull();
  });

  it("a ranged get", async () => {
    const key = unique("r2");
    await env.BUCKET.put(key, "0123456789");
    expect(await (await env.BUCKET.get(key, { range: { offset: 2, length: 3 } }))?.text()).toBe("234");
  });

  it("a multipart upload under the minimum size rejects on complete", async () => {
    const upload = await env.BUCKET.createMultipartUpload(unique("mp"));
    const parts = [await upload.uploadPart(1, "a"), await upload.uploadPart(2, "b")];
    const error = await rejection(upload.complete(parts));
    expect(error?.message).toBe("completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)");
  });

  it("put of a stream of unknown length rejects", async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(bytes("abc"));
        controller.close();
      },
    });
    const error = await rejection(env.BUCKET.put(unique("r2"), stream));
    expect(error?.name).toBe("TypeError");
    expect(error?.message).toBe(
      "Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)",
    );
  });

  it("put of a FixedLengthStream is accepted", async () => {
    const { readable, writable } = new FixedLengthStream(3);
    const writer = writable.getWriter();
    void writer.write(bytes("abc"));
    void writer.close();
    const key = unique("r2");
    expect((await env.BUCKET.put(key, readable))?.size).toBe(3);
    expect(await (await env.BUCKET.get(key))?.text()).toBe("abc");
  });
});

describe("d1", () => {
  it("prepare, bind, run, all and first", async () => {
    const table = `t_${crypto.randomUUID().replaceAll("-", "")}`;
    await env.DB.prepare(`CREATE TABLE ${table}(id INTEGER PRIMARY KEY, name TEXT)`).run();
    await env.DB.prepare(`INSERT INTO ${table}(name) VALUES (?1), (?2)`).bind("a", "b").run();
    const { results } = await env.DB.prepare(`SELECT id, name FROM ${table} ORDER BY id`).all();
    expect(results).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
    expect(await env.DB.prepare(`SELECT name FROM ${table} WHERE id = ?`).bind(2).first("name")).toBe("b");
  });

  it("batch runs statements in order", async () => {
    const table = `t_${crypto.randomUUID().replaceAll("-", "")}`;
    const results = await env.DB.batch([
      env.DB.prepare(`CREATE TABLE ${table}(a)`),
      env.DB.prepare(`INSERT INTO ${table} VALUES (1), (2)`),
      env.DB.prepare(`SELECT count(*) AS n FROM ${table}`),
    ]);
    expect(results[2].results).toEqual([{ n: 2 }]);
  });

  it("a UNIQUE violation is a D1_ERROR with the extended code", async () => {
    const table = `t_${crypto.randomUUID().replaceAll("-", "")}`;
    await env.DB.prepare(`CREATE TABLE ${table}(name TEXT UNIQUE)`).run();
    await env.DB.prepare(`INSERT INTO ${table} VALUES ('a')`).run();
    const error = await rejection(env.DB.prepare(`INSERT INTO ${table} VALUES ('a')`).run());
    expect(error?.message).toBe(
      `D1_ERROR: UNIQUE constraint failed: ${table}.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)`,
    );
  });

  it("exec counts the lines it ran", async () => {
    const table = `t_${crypto.randomUUID().replaceAll("-", "")}`;
    const result = await env.DB.exec(`CREATE TABLE ${table}(a);\nINSERT INTO ${table} VALUES (1);\nINSERT INTO ${table} VALUES (2)`);
    expect(result.count).toBe(3);
  });

  it("first() of no rows is null", async () => {
    expect(await env.DB.prepare("SELECT 1 AS one WHERE 0").first()).toBeNull();
  });

  it("a syntax error is a D1_ERROR with the offset", async () => {
    const error = await rejection(env.DB.prepare("SELEKT 1").all());
    expect(error?.message).toBe('D1_ERROR: near "SELEKT": syntax error at offset 0: SQLITE_ERROR');
  });

  it("binding undefined throws D1_TYPE_ERROR", () => {
    expect(() => env.DB.prepare("SELECT ?").bind(undefined)).toThrow("D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'");
  });
});

describe("rate limiting", () => {
  it("a ratelimits binding allows its limit per key, then refuses", async () => {
    const key = unique("client");
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await env.LIMITER.limit({ key })).success);
    expect(outcomes).toEqual([true, true, false]);
  });
});
