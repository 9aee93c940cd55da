import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys } from "../../src/storage/keys.js";
import { openStorage, sqliteDrivers, thrown } from "../helpers/sqlite.js";

describe.each(sqliteDrivers.map((driver) => [driver.name, driver] as const))("key-value API of SQLite objects on %s", (_name, driver) => {
  it("stores structured-cloned values in the hidden _cf_KV table (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID", () => {
    const storage = openStorage(driver);
    const value = { n: 1, d: new Date(5), m: new Map([["a", [1, 2]]]), u: Uint8Array.of(7) };
    storage.kv.put("k", value);
    const got = storage.kv.get<typeof value>("k")!;
    expect(got).toEqual(value);
    expect(got.d).toBeInstanceOf(Date);
    expect(got.u).toBeInstanceOf(Uint8Array);
    const schema = storage.db.queryOne("SELECT sql FROM sqlite_schema WHERE name = '_cf_KV'")?.[0];
    expect(schema).toBe("CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID");
  });

  it("orders keys by their UTF-8 bytes, as the other backends do", () => {
    const storage = openStorage(driver);
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: "grapheme", maxLength: 6 }), { maxLength: 30 }), (keys) => {
        storage.deleteAll();
        for (const key of keys) storage.kv.put(key, key.length);
        expect([...storage.kv.list()].map(([key]) => key)).toEqual([...keys].sort(compareKeys));
      }),
      { numRuns: 100 },
    );
    storage.deleteAll();
    // U+FFFF sorts before U+10000 in UTF-8, after it in UTF-16.
    for (const key of ["\u{10000}", "\uffff", "a", "\u0000"]) storage.kv.put(key, 1);
    expect([...storage.kv.list()].map(([key]) => key)).toEqual(["\u0000", "a", "\uffff", "\u{10000}"]);
  });

  it("keeps keys containing U+0000 whole, whatever the driver does with such text", () => {
    const { kv } = openStorage(driver);
    for (const key of ["a\u0000b", "a", "a\u0000"]) kv.put(key, key.length);
    expect([...kv.list()].map(([key]) => key)).toEqual(["a", "a\u0000", "a\u0000b"]);
    expect(kv.get("a\u0000b")).toBe(3);
    expect([...kv.list({ startAfter: "a" })].map(([key]) => key)).toEqual(["a\u0000", "a\u0000b"]);
    expect(kv.delete("a\u0000b")).toBe(true);
    expect(kv.get("a\u0000b")).toBeUndefined();
  });

  it("sync kv: get, put, delete -> boolean, list with every option, lazily", () => {
    const { kv } = openStorage(driver);
    expect(kv.get("missing")).toBeUndefined();
    expect(kv.delete("missing")).toBe(false);
    for (const key of ["a", "b", "ba", "bb", "c"]) kv.put(key, key.toUpperCase());
    expect(kv.delete("c")).toBe(true);
    const keys = (options?: Parameters<typeof kv.list>[0]) => [...kv.list(options)].map(([key]) => key);
    expect([...kv.list({ prefix: "b" })]).toEqual([
      ["b", "B"],
      ["ba", "BA"],
      ["bb", "BB"],
    ]);
    expect(keys({ start: "b", end: "bb" })).toEqual(["b", "ba"]);
    expect(keys({ startAfter: "b" })).toEqual(["ba", "bb"]);
    expect(keys({ reverse: true, limit: 2 })).toEqual(["bb", "ba"]);
    expect(keys({ start: "z" })).toEqual([]);
    expect(keys({ start: "b", end: "a" })).toEqual([]);
    // Lazy: entries are read as the caller steps.
    const listing = kv.list();
    expect(listing.next().value).toEqual(["a", "A"]);
    kv.put("az", "AZ");
    expect(listing.next().value).toEqual(["az", "AZ"]);
  });

  it("validates arguments with the key-value API's messages", () => {
    const { kv } = openStorage(driver);
    expect(() => kv.put("k", undefined)).toThrow(new TypeError("put() called with undefined value."));
    expect(() => kv.get("x".repeat(2049))).toThrow(new RangeError("Keys cannot be larger than 2048 bytes."));
    expect(() => kv.list({ limit: 0 })).toThrow(new TypeError("List limit must be positive."));
    expect(() => kv.list({ start: "a", startAfter: "b" })).toThrow(
      new TypeError("list() cannot be called with both start and startAfter values."),
    );
    expect(thrown(() => kv.put("k", () => 1)).name).toBe("DataCloneError");
  });

  it("allows key and value together up to 2 MiB, not the 128 KiB of key-value objects", () => {
    const storage = openStorage(driver);
    storage.kv.put("big", "x".repeat(1024 * 1024));
    expect(storage.kv.get<string>("big")).toHaveLength(1024 * 1024);
    expect(thrown(() => storage.kv.put("huge", "x".repeat(2 * 1024 * 1024))).constructor).toBe(RangeError);
    expect(thrown(() => storage.put({ a: 1, huge: "x".repeat(2 * 1024 * 1024) })).message).toMatch(
      /^Key and value for key "huge" are above the limit/,
    );
    expect(storage.kv.get("a")).toBeUndefined();
  });

  it("async-API forms: get(keys) -> Map in key order, put(entries), delete(keys) -> count, list -> Map", () => {
    const storage = openStorage(driver);
    storage.put({ b: 2, a: 1, skipped: undefined, c: 3 });
    expect(storage.get("a")).toBe(1);
    expect(storage.get(["c", "missing", "a", "c"])).toEqual(
      new Map([
        ["a", 1],
        ["c", 3],
      ]),
    );
    expect([...(storage.get(["c", "a"]) as Map<string, unknown>).keys()]).toEqual(["a", "c"]);
    expect(storage.delete(["a", "b", "missing", "a"])).toBe(2);
    expect(storage.delete("c")).toBe(true);
    storage.put("x", { y: 1 });
    expect(storage.list({ prefix: "x" })).toEqual(new Map([["x", { y: 1 }]]));
    expect(() => storage.get(Array.from({ length: 129 }, (_, i) => `k${i}`))).toThrow(new RangeError("Maximum number of keys is 128."));
    expect(() => storage.put(undefined as unknown as string, 1)).toThrow(TypeError);
  });

  it("shares one table between the sync and async forms, and reads nothing before the first write", () => {
    const storage = openStorage(driver);
    expect(storage.list()).toEqual(new Map());
    expect(storage.get(["a"])).toEqual(new Map());
    expect(storage.db.queryOne("SELECT 1 FROM sqlite_schema WHERE name = '_cf_KV'")).toBeUndefined();
    storage.put("a", 1);
    expect(storage.kv.get("a")).toBe(1);
  });
});
