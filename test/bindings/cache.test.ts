import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Durabox } from "../../src/index.js";
import type { CacheStorage } from "../../src/bindings/cache/cache-storage.js";
import type { Cache } from "../../src/bindings/cache/cache.js";

const script = "export default { fetch() { return new Response('ok'); } }";
const URL_ = "http://cache.test/item";
let mf: Durabox;
let caches: CacheStorage;
let cache: Cache;

beforeEach(async () => {
  mf = new Durabox({ script });
  caches = await mf.getCaches();
  cache = caches.default;
});
afterEach(async () => {
  vi.useRealTimers();
  await mf.dispose();
});

const cached = (body: string, headers: Record<string, string>, status = 200) => new Response(body, { status, headers });

describe("Cache put and match", () => {
  it("stores a response with max-age and matches it with cf-cache-status: HIT", async () => {
    expect(await cache.put(URL_, cached("body", { "cache-control": "max-age=60", "x-a": "1" }))).toBeUndefined();
    const hit = (await cache.match(URL_))!;
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe("body");
    expect(hit.headers.get("cf-cache-status")).toBe("HIT");
    expect(hit.headers.get("x-a")).toBe("1");
    expect(hit).toBeInstanceOf(Response);
    // Keyed by URL: a Request, a string and a URL are one key; a fragment is not part of it.
    expect(await (await cache.match(new Request(URL_)))!.text()).toBe("body");
    expect(await (await cache.match(new URL(`${URL_}#frag`)))!.text()).toBe("body");
    expect(await cache.match("http://cache.test/other")).toBeUndefined();
  });

  it("does not store a response without Cache-Control (as local workerd does)", async () => {
    await cache.put(URL_, cached("body", { expires: new Date(Date.now() + 60_000).toUTCString() }));
    expect(await cache.match(URL_)).toBeUndefined();
  });

  it.each([
    ["no-store", "max-age=60, no-store"],
    ["private", "private, max-age=60"],
    ["no-cache", "no-cache, max-age=60"],
    ["max-age=0", "max-age=0"],
    ["public without a lifetime", "public"],
  ])("does not store a response with %s", async (_name, cacheControl) => {
    await cache.put(URL_, cached("body", { "cache-control": cacheControl }));
    expect(await cache.match(URL_)).toBeUndefined();
  });

  it("does not store a response with Set-Cookie, unless private=Set-Cookie strips the header", async () => {
    await cache.put(URL_, cached("a", { "cache-control": "max-age=60", "set-cookie": "s=1" }));
    expect(await cache.match(URL_)).toBeUndefined();
    await cache.put(URL_, cached("b", { "cache-control": 'max-age=60, private="Set-Cookie"', "set-cookie": "s=1" }));
    const hit = (await cache.match(URL_))!;
    expect(await hit.text()).toBe("b");
    expect(hit.headers.has("set-cookie")).toBe(false);
  });

  it("keeps a response for s-maxage over max-age, else max-age, else Expires, on the runtime's clock", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
    await cache.put(`${URL_}/s`, cached("s", { "cache-control": "max-age=10, s-maxage=100" }));
    await cache.put(`${URL_}/m`, cached("m", { "cache-control": "max-age=10" }));
    await cache.put(`${URL_}/e`, cached("e", { "cache-control": "public", expires: "Thu, 01 Jan 2026 00:00:30 GMT" }));
    vi.advanceTimersByTime(9_999);
    expect(await cache.match(`${URL_}/m`)).toBeDefined();
    vi.advanceTimersByTime(1);
    expect(await cache.match(`${URL_}/m`)).toBeUndefined();
    expect(await cache.match(`${URL_}/e`)).toBeDefined();
    vi.advanceTimersByTime(20_000);
    expect(await cache.match(`${URL_}/e`)).toBeUndefined();
    expect(await cache.match(`${URL_}/s`)).toBeDefined();
    vi.advanceTimersByTime(70_000);
    expect(await cache.match(`${URL_}/s`)).toBeUndefined();
  });

  it("replaces the response stored for a URL", async () => {
    await cache.put(URL_, cached("one", { "cache-control": "max-age=60" }));
    await cache.put(URL_, cached("two", { "cache-control": "max-age=60" }));
    expect(await (await cache.match(URL_))!.text()).toBe("two");
  });

  it("matches only requests whose headers named by Vary are the same", async () => {
    const request = new Request(URL_, { headers: { "accept-language": "en" } });
    await cache.put(request, cached("en", { "cache-control": "max-age=60", vary: "Accept-Language" }));
    expect(await (await cache.match(new Request(URL_, { headers: { "accept-language": "en" } })))!.text()).toBe("en");
    expect(await cache.match(new Request(URL_, { headers: { "accept-language": "fr" } }))).toBeUndefined();
    expect(await cache.match(URL_)).toBeUndefined();
  });

  it("matches other methods only with ignoreMethod", async () => {
    await cache.put(URL_, cached("body", { "cache-control": "max-age=60" }));
    expect(await cache.match(new Request(URL_, { method: "POST" }))).toBeUndefined();
    expect(await (await cache.match(new Request(URL_, { method: "POST" }), { ignoreMethod: true }))!.text()).toBe("body");
  });
});

describe("Cache match of a range or a conditional request", () => {
  beforeEach(async () => {
    await cache.put(
      URL_,
      cached("0123456789", { "cache-control": "max-age=60", etag: '"v1"', "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT" }),
    );
  });
  const get = (headers: Record<string, string>) => cache.match(new Request(URL_, { headers }));

  it("answers a byte range with 206 and Content-Range from the full response", async () => {
    const partial = (await get({ range: "bytes=2-5" }))!;
    expect(partial.status).toBe(206);
    expect(partial.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(partial.headers.get("content-length")).toBe("4");
    expect(await partial.text()).toBe("2345");
    expect(await (await get({ range: "bytes=7-" }))!.text()).toBe("789");
    expect(await (await get({ range: "bytes=-3" }))!.text()).toBe("789");
    expect(await (await get({ range: "bytes=8-100" }))!.text()).toBe("89");
  });

  it("answers an unsatisfiable range with 416, and serves the whole body for a header it does not take", async () => {
    const refused = (await get({ range: "bytes=10-" }))!;
    expect(refused.status).toBe(416);
    expect(refused.headers.get("content-range")).toBe("bytes */10");
    expect((await get({ range: "bytes=0-1, 4-5" }))!.status).toBe(200);
    expect((await get({ range: "lines=1-2" }))!.status).toBe(200);
  });

  it("answers If-None-Match and If-Modified-Since with 304", async () => {
    expect((await get({ "if-none-match": '"v1"' }))!.status).toBe(304);
    expect((await get({ "if-none-match": 'W/"v1"' }))!.status).toBe(304);
    expect((await get({ "if-none-match": '"v2"' }))!.status).toBe(200);
    expect((await get({ "if-modified-since": "Fri, 02 Jan 2026 00:00:00 GMT" }))!.status).toBe(304);
    expect((await get({ "if-modified-since": "Wed, 31 Dec 2025 00:00:00 GMT" }))!.status).toBe(200);
  });
});

describe("Cache put's refusals", () => {
  const rejection = async (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail("resolved"),
      (error: Error) => error,
    );

  it.each([
    [
      "a non-GET request",
      () => cache.put(new Request(URL_, { method: "POST" }), cached("x", { "cache-control": "max-age=60" })),
      "Cannot cache response to non-GET request.",
    ],
    [
      "a 206 response",
      () => cache.put(URL_, cached("x", { "cache-control": "max-age=60" }, 206)),
      "Cannot cache response to a range request (206 Partial Content).",
    ],
    [
      "Vary: *",
      () => cache.put(URL_, cached("x", { "cache-control": "max-age=60", vary: "*" })),
      "Cannot cache response with 'Vary: *' header.",
    ],
  ])("refuses %s with production's TypeError", async (_name, call, message) => {
    const error = await rejection(call());
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
    expect(await cache.match(URL_)).toBeUndefined();
  });
});

describe("Cache delete and named caches", () => {
  it("deletes an entry, resolving whether there was one", async () => {
    await cache.put(URL_, cached("x", { "cache-control": "max-age=60" }));
    expect(await cache.delete(new Request(URL_, { method: "POST" }))).toBe(false);
    expect(await cache.delete(URL_)).toBe(true);
    expect(await cache.delete(URL_)).toBe(false);
    expect(await cache.match(URL_)).toBeUndefined();
    await cache.put(URL_, cached("x", { "cache-control": "max-age=60" }));
    expect(await cache.delete(new Request(URL_, { method: "DELETE" }), { ignoreMethod: true })).toBe(true);
  });

  it("keeps each named cache apart from the default cache and from each other", async () => {
    const a = await caches.open("a");
    expect(await caches.open("a")).toBe(a);
    await a.put(URL_, cached("a", { "cache-control": "max-age=60" }));
    expect(await caches.default.match(URL_)).toBeUndefined();
    expect(await (await caches.open("b")).match(URL_)).toBeUndefined();
    expect(await (await a.match(URL_))!.text()).toBe("a");
  });

  it("stores nothing with cache: false (Miniflare 2's option), still checking put's arguments", async () => {
    const off = new Durabox({ script, cache: false });
    const disabled = (await off.getCaches()).default;
    await disabled.put(URL_, cached("x", { "cache-control": "max-age=60" }));
    expect(await disabled.match(URL_)).toBeUndefined();
    await expect(disabled.put(new Request(URL_, { method: "PUT" }), new Response("x"))).rejects.toThrow(TypeError);
    await off.dispose();
  });
});

describe("caches in worker code", () => {
  it("is the runtime's Cache API, shared with getCaches()", async () => {
    const worker = new Durabox({
      script: `export default { async fetch(request) {
        const hit = await caches.default.match(request);
        if (hit) return hit;
        const response = new Response("fresh " + Date.now(), { headers: { "cache-control": "max-age=60" } });
        await caches.default.put(request, response.clone());
        return response;
      } }`,
    });
    const first = await worker.dispatchFetch("http://w.test/a");
    expect(first.headers.get("cf-cache-status")).toBeNull();
    const second = await worker.dispatchFetch("http://w.test/a");
    expect(second.headers.get("cf-cache-status")).toBe("HIT");
    expect(await second.text()).toBe(await first.text());
    expect(await (await worker.getCaches()).default.match("http://w.test/a")).toBeDefined();
    await worker.dispose();
  });
});
