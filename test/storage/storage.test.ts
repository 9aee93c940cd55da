import { beforeEach, describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import type { ObjectStorage } from "../../src/objects/object-storage.js";

class Obj {}
let storage: ObjectStorage;
beforeEach(() => {
  const { runtime, ns } = runtimeWith({ Obj });
  storage = runtime.storage(ns("Obj").idFromName("s"));
});

describe("storage API", () => {
  it("stores structured clones, not references", async () => {
    const value = { n: 1, nested: { list: [1, 2] }, when: new Date(5), bytes: new Uint8Array([1, 2]), map: new Map([["a", 1]]) };
    await storage.put("v", value);
    value.n = 2;
    const read = await storage.get<typeof value>("v");
    expect(read).toEqual({ n: 1, nested: { list: [1, 2] }, when: new Date(5), bytes: new Uint8Array([1, 2]), map: new Map([["a", 1]]) });
    expect(read).not.toBe(await storage.get("v"));
    expect(read!.when).toBeInstanceOf(Date);
    expect(read!.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(read!.bytes)).toBe(Uint8Array.prototype); // not a Buffer
  });

  it("keeps errors and bigints", async () => {
    await storage.put("e", new RangeError("boom"));
    const error = await storage.get<Error>("e");
    expect(error).toBeInstanceOf(RangeError);
    expect(error!.message).toBe("boom");
    await storage.put("b", 2n ** 70n);
    expect(await storage.get("b")).toBe(2n ** 70n);
  });

  it("get(keys) returns a Map in key order with missing keys omitted", async () => {
    await storage.put({ b: 2, a: 1, c: 3 });
    const got = await storage.get(["c", "missing", "a", "c"]);
    expect([...got.entries()]).toEqual([
      ["a", 1],
      ["c", 3],
    ]);
  });

  it("delete(key) returns whether it existed; delete(keys) how many did", async () => {
    await storage.put({ a: 1, b: 2 });
    expect(await storage.delete("a")).toBe(true);
    expect(await storage.delete("a")).toBe(false);
    await storage.put("a", 1);
    expect(await storage.delete(["a", "b", "zz"])).toBe(2);
    expect((await storage.list()).size).toBe(0);
  });

  it("sees an un-awaited put in the next get", async () => {
    void storage.put("k", 1);
    expect(await storage.get("k")).toBe(1);
  });

  describe("list()", () => {
    beforeEach(async () => {
      await storage.put(Object.fromEntries(["a", "ab", "abc", "b", "ba", "c", "\u{1F600}", "\uE000"].map((k) => [k, k])));
    });
    const keys = async (options?: Parameters<ObjectStorage["list"]>[0]) => [...(await storage.list(options)).keys()];

    it("orders by UTF-8 bytes", async () => {
      expect(await keys()).toEqual(["a", "ab", "abc", "b", "ba", "c", "\uE000", "\u{1F600}"]);
    });
    it("start is inclusive, end exclusive, startAfter exclusive", async () => {
      expect(await keys({ start: "ab", end: "b" })).toEqual(["ab", "abc"]);
      expect(await keys({ startAfter: "ab", end: "ba" })).toEqual(["abc", "b"]);
      expect(await keys({ start: "c", end: "a" })).toEqual([]);
    });
    it("prefix combines with start and end", async () => {
      expect(await keys({ prefix: "a" })).toEqual(["a", "ab", "abc"]);
      expect(await keys({ prefix: "a", start: "ab" })).toEqual(["ab", "abc"]);
      expect(await keys({ prefix: "a", end: "abc" })).toEqual(["a", "ab"]);
      expect(await keys({ prefix: "zz" })).toEqual([]);
    });
    it("applies reverse before limit", async () => {
      expect(await keys({ reverse: true, limit: 3 })).toEqual(["\u{1F600}", "\uE000", "c"]);
      expect(await keys({ limit: 2 })).toEqual(["a", "ab"]);
      expect(await keys({ prefix: "a", reverse: true, limit: 2 })).toEqual(["abc", "ab"]);
      expect(await keys({ start: "ab", end: "c", reverse: true })).toEqual(["ba", "b", "abc", "ab"]);
    });
  });

  it("deleteAll removes every key and the alarm", async () => {
    const { runtime, ns } = runtimeWith({
      Alarmed: class {
        alarm(): void {}
      },
    });
    const s = runtime.storage(ns("Alarmed").idFromName("x"));
    await s.put({ a: 1, b: 2 });
    await s.setAlarm(Date.now() + 60_000);
    await s.deleteAll();
    expect((await s.list()).size).toBe(0);
    expect(await s.getAlarm()).toBeNull();
    expect(runtime.alarms.pending()).toEqual([]);
  });

  it("accepts the documented options (allowConcurrency, allowUnconfirmed, noCache)", async () => {
    await storage.put("k", 1, { allowUnconfirmed: true, noCache: true });
    expect(await storage.get("k", { allowConcurrency: true, noCache: true })).toBe(1);
    await storage.sync();
  });
});
