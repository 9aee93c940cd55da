import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Durabox } from "../../src/index.js";
import type { KVNamespace } from "../../src/bindings/kv/namespace.js";

let mf: Durabox;
let kv: KVNamespace;

beforeEach(async () => {
  mf = new Durabox({ kvNamespaces: ["NS"], script: "export default { fetch() { return new Response('ok'); } }" });
  kv = await mf.getKVNamespace("NS");
});
afterEach(async () => {
  vi.useRealTimers();
  await mf.dispose();
});

/** The error a call rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("KV get and put", () => {
  it("stores strings, ArrayBuffers, views and streams, and reads them as text, json, arrayBuffer and stream", async () => {
    await kv.put("s", '{"a":1}');
    await kv.put("b", new Uint8Array([104, 105]).buffer);
    await kv.put("v", new Uint16Array([0x6968]));
    await kv.put("r", new Blob(["str", "eam"]).stream());
    await kv.put("n", 42 as unknown as string);
    expect(await kv.get("s")).toBe('{"a":1}');
    expect(await kv.get("s", "json")).toEqual({ a: 1 });
    expect(await kv.get("s", { type: "json" })).toEqual({ a: 1 });
    expect(new Uint8Array((await kv.get("b", "arrayBuffer")) as ArrayBuffer)).toEqual(new Uint8Array([104, 105]));
    expect(await kv.get("v")).toBe("hi");
    expect(await new Response((await kv.get("r", "stream")) as ReadableStream).text()).toBe("stream");
    expect(await kv.get("n")).toBe("42");
    expect(await kv.get("missing")).toBeNull();
    expect(await kv.get("missing", "stream")).toBeNull();
  });

  it("copies a buffer at put, so later changes do not show", async () => {
    const bytes = new Uint8Array([97]);
    const put = kv.put("k", bytes);
    bytes[0] = 98;
    await put;
    expect(await kv.get("k")).toBe("a");
  });

  it("returns metadata with getWithMetadata, null without", async () => {
    await kv.put("m", "v", { metadata: { tag: "x" } });
    await kv.put("plain", "v");
    expect(await kv.getWithMetadata("m")).toEqual({ value: "v", metadata: { tag: "x" }, cacheStatus: null });
    expect(await kv.getWithMetadata("plain", "json").catch((e: Error) => e.name)).toBe("SyntaxError");
    expect(await kv.getWithMetadata("plain")).toEqual({ value: "v", metadata: null, cacheStatus: null });
    expect(await kv.getWithMetadata("missing")).toEqual({ value: null, metadata: null, cacheStatus: null });
  });

  it("gets up to 100 keys at once as a Map, text or json, null for missing keys", async () => {
    await kv.put("a", '"A"', { metadata: 1 });
    await kv.put("b", "[1]");
    const text = (await kv.get(["a", "b", "c"])) as Map<string, unknown>;
    expect(text).toEqual(
      new Map([
        ["a", '"A"'],
        ["b", "[1]"],
        ["c", null],
      ]),
    );
    expect(await kv.get(["a", "b"], "json")).toEqual(
      new Map<string, unknown>([
        ["a", "A"],
        ["b", [1]],
      ]),
    );
    expect(await kv.getWithMetadata(["a", "c"], { type: "json" })).toEqual(
      new Map([
        ["a", { value: "A", metadata: 1 }],
        ["c", null],
      ]),
    );
    const hundred = Array.from({ length: 100 }, (_, i) => `k${i}`);
    expect(((await kv.get(hundred)) as Map<string, unknown>).size).toBe(100);
  });

  it("refuses bulk gets as production does", async () => {
    const cases: [Promise<unknown>, string][] = [
      [kv.get([]), "KV GET_BULK failed: 400 You must request a minimum of 1 key"],
      [kv.get(Array.from({ length: 101 }, (_, i) => `k${i}`)), "KV GET_BULK failed: 400 You can request a maximum of 100 keys"],
      [kv.get(["."]), "KV GET_BULK failed: 400 Key name . is not legal"],
      [kv.get(["x".repeat(513)]), "KV GET_BULK failed: 414 Encoded length of 513 is too long"],
      [kv.get(["k"], "stream"), 'KV GET_BULK failed: 400 "stream" is not a valid type. Use "json" or "text"'],
      [kv.get(["k"], { cacheTtl: 29 }), "KV GET_BULK failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30."],
    ];
    for (const [promise, message] of cases) {
      const error = await rejection(promise);
      expect(error.constructor).toBe(Error);
      expect(error.message).toBe(message);
    }
    await kv.put("notjson", "{");
    expect((await rejection(kv.get(["notjson"], "json"))).message).toBe(
      "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value",
    );
  });

  it("accepts a cacheTtl of 30 seconds or more and refuses less", async () => {
    await kv.put("k", "v");
    expect(await kv.get("k", { cacheTtl: 30 })).toBe("v");
    expect(await kv.get("k", { type: "text", cacheTtl: 3600 })).toBe("v");
    expect((await rejection(kv.get("k", { cacheTtl: 29 }))).message).toBe(
      "KV GET failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30.",
    );
  });

  it("refuses an unknown type with the runtime's TypeError", async () => {
    const error = await rejection(kv.get("k", "banana" as "text"));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
  });

  it("deletes keys, and deleting a missing key is no error", async () => {
    await kv.put("k", "v");
    await kv.delete("k");
    await kv.delete("never");
    expect(await kv.get("k")).toBeNull();
  });
});

describe("KV keys", () => {
  it.each([
    ["get", (key: string) => kv.get(key)],
    ["put", (key: string) => kv.put(key, "v")],
    ["delete", (key: string) => kv.delete(key)],
  ] as const)("%s refuses empty, '.', '..' (TypeError) and keys over 512 bytes", async (method, call) => {
    const upper = method.toUpperCase();
    for (const [key, message] of [
      ["", "Key name cannot be empty."],
      [".", '"." is not allowed as a key name.'],
      ["..", '".." is not allowed as a key name.'],
    ]) {
      const error = await rejection(call(key!));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(message);
    }
    const error = await rejection(call("x".repeat(513)));
    expect(error.constructor).toBe(Error);
    expect(error.message).toBe(`KV ${upper} failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.`);
    // Bytes, not characters: 171 three-byte characters are 513 bytes.
    expect((await rejection(call("€".repeat(171)))).message).toMatch(/length of 513 exceeds/);
    await kv.put("x".repeat(512), "v");
  });

  it("refuses a key that is not well-formed UTF-16 as the service does; bulk gets and list prefixes take it as U+FFFD", async () => {
    expect((await rejection(kv.get("\uD800"))).message).toBe("KV GET failed: 400 Could not URL-decode key name");
    expect((await rejection(kv.put("a\uDC00", "v"))).message).toBe("KV PUT failed: 400 Could not URL-decode key name");
    await kv.put("\uFFFD", "replacement");
    expect(await kv.get(["\uD800"])).toEqual(new Map([["\uFFFD", "replacement"]]));
    expect((await kv.list({ prefix: "\uDBFF" })).keys).toEqual([{ name: "\uFFFD" }]);
  });

  it("returns a rejected promise, never a synchronous throw", () => {
    let promise: Promise<unknown> | undefined;
    expect(() => (promise = kv.put("", "v"))).not.toThrow();
    return expect(promise).rejects.toThrow(TypeError);
  });
});

describe("KV limits", () => {
  it("refuses a value over 25 MiB, as a string, a buffer or a stream", async () => {
    const limit = 25 * 1024 * 1024;
    await kv.put("max", new Uint8Array(limit));
    expect(((await kv.get("max", "arrayBuffer")) as ArrayBuffer).byteLength).toBe(limit);
    const message = `KV PUT failed: 413 Value length of ${limit + 1} exceeds limit of ${limit}.`;
    expect((await rejection(kv.put("big", new Uint8Array(limit + 1)))).message).toBe(message);
    expect((await rejection(kv.put("big", "x".repeat(limit + 1)))).message).toBe(message);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(limit));
        controller.enqueue(new Uint8Array(1));
        controller.close();
      },
    });
    expect((await rejection(kv.put("big", stream))).message).toBe(message);
    expect(await kv.get("big")).toBeNull();
  });

  it("refuses metadata over 1024 bytes of JSON", async () => {
    await kv.put("ok", "v", { metadata: "x".repeat(1022) });
    const error = await rejection(kv.put("k", "v", { metadata: "x".repeat(1023) }));
    expect(error.message).toBe("KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.");
    expect(await kv.get("k")).toBeNull();
  });

  it("refuses a stream of other than bytes", async () => {
    const strings = new ReadableStream({
      start(controller) {
        controller.enqueue("text");
        controller.close();
      },
    });
    const error = await rejection(kv.put("k", strings));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("This ReadableStream did not return bytes.");
  });

  it("refuses values of other types with the runtime's TypeError", async () => {
    const error = await rejection(kv.put("k", {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.");
  });
});

describe("KV expiration", () => {
  it("expires keys by expirationTtl on the runtime's clock (fake timers move it)", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    await kv.put("k", "v", { expirationTtl: 60 });
    const listed = await kv.list();
    expect(listed.keys).toEqual([{ name: "k", expiration: 1_700_000_060 }]);
    vi.advanceTimersByTime(59_999);
    expect(await kv.get("k")).toBe("v");
    vi.advanceTimersByTime(1);
    expect(await kv.get("k")).toBeNull();
    expect(await kv.getWithMetadata("k")).toEqual({ value: null, metadata: null, cacheStatus: null });
    expect((await kv.list()).keys).toEqual([]);
    expect(await kv.get(["k"])).toEqual(new Map([["k", null]]));
  });

  it("expires keys at an absolute expiration, in seconds", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    await kv.put("k", "v", { expiration: 1_700_000_100 });
    expect((await kv.list()).keys).toEqual([{ name: "k", expiration: 1_700_000_100 }]);
    vi.setSystemTime(1_700_000_100_000);
    expect(await kv.get("k")).toBeNull();
  });

  it("refuses a TTL under 60 seconds, or an expiration less than 60 seconds ahead", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const cases: [Promise<unknown>, string][] = [
      [kv.put("k", "v", { expirationTtl: 59 }), "KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60."],
      [kv.put("k", "v", { expirationTtl: 0 }), "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."],
      [
        kv.put("k", "v", { expirationTtl: "soon" }),
        "KV PUT failed: 400 Invalid expiration_ttl of soon. Please specify integer greater than 0.",
      ],
      [
        kv.put("k", "v", { expiration: 1_700_000_000 }),
        "KV PUT failed: 400 Invalid expiration of 1700000000. Please specify integer greater than the current number of seconds since the UNIX epoch.",
      ],
      [
        kv.put("k", "v", { expiration: 1_700_000_059 }),
        "KV PUT failed: 400 Invalid expiration of 1700000059. Expiration times must be at least 60 seconds in the future.",
      ],
    ];
    for (const [promise, message] of cases) expect((await rejection(promise)).message).toBe(message);
    expect(await kv.get("k")).toBeNull();
    await kv.put("k", "v", { expirationTtl: "60" });
    await kv.put("k", "v", { expiration: 1_700_000_060 });
  });
});

describe("KV list", () => {
  it("lists keys in UTF-8 order with metadata and expiration, by prefix", async () => {
    await kv.put("b", "1", { metadata: { n: 1 } });
    await kv.put("a", "1");
    await kv.put("\u{1F600}", "1");
    await kv.put("\uFFFF", "1");
    await kv.put("ab", "1");
    expect((await kv.list()).keys.map((key) => key.name)).toEqual(["a", "ab", "b", "\uFFFF", "\u{1F600}"]);
    expect(await kv.list({ prefix: "a" })).toEqual({ keys: [{ name: "a" }, { name: "ab" }], list_complete: true, cacheStatus: null });
    expect((await kv.list({ prefix: "b" })).keys).toEqual([{ name: "b", metadata: { n: 1 } }]);
  });

  it("pages with limit and cursor until list_complete", async () => {
    for (let i = 0; i < 25; i++) await kv.put(`key${String(i).padStart(2, "0")}`, "v");
    await kv.put("other", "v");
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await kv.list({ prefix: "key", limit: 10, ...(cursor !== undefined && { cursor }) });
      pages++;
      names.push(...page.keys.map((key) => key.name));
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `key${String(i).padStart(2, "0")}`));
  });

  it("lists at most 1000 keys by default and refuses a larger limit", async () => {
    for (let i = 0; i < 1001; i++) await kv.put(`k${i}`, "v");
    const page = await kv.list();
    expect(page.keys).toHaveLength(1000);
    expect(page.list_complete).toBe(false);
    expect((await kv.list({ limit: 1000 })).keys).toHaveLength(1000);
    expect((await rejection(kv.list({ limit: 1001 }))).message).toBe(
      "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.",
    );
  });

  it("skips expired keys without ending the page early", async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    for (let i = 0; i < 5; i++) await kv.put(`a${i}`, "v", { expirationTtl: 60 });
    for (let i = 0; i < 3; i++) await kv.put(`b${i}`, "v");
    vi.advanceTimersByTime(61_000);
    const page = await kv.list({ limit: 2 });
    expect(page.keys.map((key) => key.name)).toEqual(["b0", "b1"]);
    expect(page.list_complete).toBe(false);
  });

  it("refuses a cursor it did not give out and a prefix over 512 bytes", async () => {
    expect((await rejection(kv.list({ cursor: "nonsense" }))).message).toBe("KV GET failed: 400 Invalid cursor");
    expect((await rejection(kv.list({ prefix: "x".repeat(513) }))).message).toBe(
      "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.",
    );
  });
});
