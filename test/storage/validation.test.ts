import { beforeEach, describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import type { ObjectStorage } from "../../src/objects/object-storage.js";

class WithAlarm {
  alarm(): void {}
}
class WithoutAlarm {}

let storage: ObjectStorage;
let noAlarmStorage: ObjectStorage;
beforeEach(() => {
  const { runtime, ns } = runtimeWith({ WithAlarm, WithoutAlarm });
  storage = runtime.storage(ns("WithAlarm").idFromName("v"));
  noAlarmStorage = runtime.storage(ns("WithoutAlarm").idFromName("v"));
});

const bigKey = "x".repeat(2049);
const bigValue = new Uint8Array(131072 + 100);

// Every row of the validation table in shared/reference/behaviour.md.
describe("storage validation, error for error", () => {
  it("refuses a key over 2048 UTF-8 bytes, singly and in a batch", async () => {
    await expect(storage.get(bigKey)).rejects.toThrow(new RangeError("Keys cannot be larger than 2048 bytes."));
    await expect(storage.put(bigKey, 1)).rejects.toThrow(new RangeError("Keys cannot be larger than 2048 bytes."));
    await expect(storage.delete(bigKey)).rejects.toThrow(RangeError);
    await expect(storage.get(["a", bigKey])).rejects.toThrow(new RangeError(`Key "${bigKey}" is larger than the limit of 2048 bytes.`));
    await expect(storage.put({ a: 1, [bigKey]: 2 })).rejects.toThrow(
      new RangeError(`Key "${bigKey}" is larger than the limit of 2048 bytes.`),
    );
    // Multi-byte characters count as their UTF-8 length.
    await expect(storage.put("é".repeat(1025), 1)).rejects.toThrow("Keys cannot be larger than 2048 bytes.");
    await storage.put("é".repeat(1024), 1);
    await storage.put("x".repeat(2048), 1);
  });

  it("refuses a value over 128 KiB, allowing the serializer's 32 bytes", async () => {
    await expect(storage.put("k", bigValue)).rejects.toThrow(new RangeError("Values cannot be larger than 131072 bytes."));
    await expect(storage.put({ k: bigValue })).rejects.toThrow(new RangeError('Value for key "k" is above the limit of 131072 bytes.'));
    await storage.put("k", new Uint8Array(131072));
    expect((await storage.get<Uint8Array>("k"))?.byteLength).toBe(131072);
  });

  it("refuses put(key, undefined) but skips undefined values in an entries object", async () => {
    await expect(storage.put("k", undefined)).rejects.toThrow(new TypeError("put() called with undefined value."));
    await storage.put({ a: 1, b: undefined });
    expect([...(await storage.list()).keys()]).toEqual(["a"]);
  });

  it("refuses an undefined key, naming the operation", async () => {
    for (const op of ["get", "put", "delete"] as const) {
      const call = (storage[op] as (key: unknown, value?: unknown) => Promise<unknown>).bind(storage);
      await expect(call(undefined, 1)).rejects.toThrow(
        new TypeError(`Failed to execute '${op}' on 'DurableObjectStorage': parameter 1 is not of type 'variant'.`),
      );
    }
  });

  it("refuses more than 128 pairs or keys in one call", async () => {
    const keys = Array.from({ length: 129 }, (_, i) => `k${i}`);
    await expect(storage.put(Object.fromEntries(keys.map((k) => [k, 1])))).rejects.toThrow(
      new RangeError("Maximum number of pairs is 128."),
    );
    await expect(storage.get(keys)).rejects.toThrow(new RangeError("Maximum number of keys is 128."));
    await expect(storage.delete(keys)).rejects.toThrow(new RangeError("Maximum number of keys is 128."));
    await storage.put(Object.fromEntries(keys.slice(0, 128).map((k) => [k, 1])));
    expect((await storage.get(keys.slice(0, 128))).size).toBe(128);
  });

  it("does not limit list() to 128 keys", async () => {
    for (let i = 0; i < 3; i++) {
      await storage.put(Object.fromEntries(Array.from({ length: 100 }, (_, j) => [`k${i}-${j}`, j])));
    }
    expect((await storage.list()).size).toBe(300);
  });

  it("refuses a list limit <= 0 and start with startAfter", async () => {
    await expect(storage.list({ limit: 0 })).rejects.toThrow(new TypeError("List limit must be positive."));
    await expect(storage.list({ limit: -1 })).rejects.toThrow(new TypeError("List limit must be positive."));
    // Production reads the limit as an int, where NaN and Infinity become 0.
    for (const limit of [NaN, Infinity, -Infinity]) {
      await expect(storage.list({ limit })).rejects.toThrow(new TypeError("List limit must be positive."));
    }
    await expect(storage.list({ limit: "2" as unknown as number })).rejects.toThrow(
      new TypeError("List limit must be a number, got string."),
    );
    await expect(storage.list({ start: "a", startAfter: "b" })).rejects.toThrow(
      new TypeError("list() cannot be called with both start and startAfter values."),
    );
  });

  it("refuses deleteAll() and more than 128 modified keys in a transaction", async () => {
    await expect(storage.transaction((txn) => txn.deleteAll())).rejects.toThrow(new Error("Cannot call deleteAll() within a transaction"));
    await expect(
      storage.transaction(async (txn) => {
        for (let i = 0; i < 129; i++) await txn.put(`k${i}`, i);
      }),
    ).rejects.toThrow(new RangeError("Maximum number of keys modified in a transaction is 128."));
    expect((await storage.list()).size).toBe(0);
  });

  it("refuses operations on a rolled-back or committed transaction", async () => {
    let escaped: { get(key: string): Promise<unknown> } | undefined;
    await storage.transaction(async (txn) => {
      txn.rollback();
      await expect(txn.get("a")).rejects.toThrow(new Error("Cannot get() on rolled back transaction"));
      await expect(txn.put("a", 1)).rejects.toThrow(new Error("Cannot put() on rolled back transaction"));
      // A second rollback() is ignored, as in production.
      expect(txn.rollback()).toBeUndefined();
    });
    await storage.transaction(async (txn) => {
      await txn.put("b", 1);
      txn.rollback();
      txn.rollback();
    });
    expect(await storage.get("b")).toBeUndefined();
    await storage.transaction(async (txn) => {
      escaped = txn;
    });
    await expect(escaped!.get("a")).rejects.toThrow(
      new Error("Cannot call get() on transaction that has already committed: did you move `txn` outside of the closure?"),
    );
    expect(() => (escaped as unknown as { rollback(): void }).rollback()).toThrow(
      new Error("Cannot call rollback() on transaction that has already committed: did you move `txn` outside of the closure?"),
    );
  });

  it("refuses unserializable values with the structured-clone DataCloneError", async () => {
    const error = await storage.put("f", () => 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("DataCloneError");
    expect((error as DOMException).message).toBe("() => 1 could not be cloned.");
    // The failed write changed nothing and the object can write again.
    expect(await storage.get("f")).toBeUndefined();
    await storage.put("f", 2);
    expect(await storage.get("f")).toBe(2);
  });

  it("rejects with a throwing getter's own error, storing nothing", async () => {
    const own = new RangeError("getter says no");
    const value = {
      get x(): number {
        throw own;
      },
    };
    await expect(storage.put("g", value)).rejects.toBe(own);
    await expect(storage.put({ a: 1, g: value })).rejects.toBe(own);
    expect((await storage.list()).size).toBe(0);
  });

  it("refuses an alarm time <= 0, and setAlarm on a class without alarm()", async () => {
    await expect(storage.setAlarm(0)).rejects.toThrow(new TypeError("setAlarm() cannot be called with an alarm time <= 0"));
    await expect(storage.setAlarm(-5)).rejects.toThrow(TypeError);
    expect(await storage.getAlarm()).toBeNull();
  });

  it("refuses alarm times that are not a valid Date, or beyond what production can hold, with production's messages", async () => {
    const invalid = new TypeError("The value cannot be converted because it is not a valid Date.");
    for (const time of [NaN, Infinity, -Infinity, new Date("x")]) {
      await expect(storage.setAlarm(time)).rejects.toThrow(invalid);
      await expect(storage.transaction((txn) => txn.setAlarm(time))).rejects.toThrow(invalid);
    }
    // kj::Date holds int64 nanoseconds: 2^63 ns is in 2262 (production's message says 2189).
    const tooLate = new TypeError("This API doesn't support dates after 2189.");
    for (const time of [1e20, 8.64e15, new Date(8.64e15), 2 ** 63 / 1e6]) {
      await expect(storage.setAlarm(time)).rejects.toThrow(tooLate);
    }
    await expect(storage.setAlarm(-1e20)).rejects.toThrow(new TypeError("This API doesn't support dates before 1687."));
    await expect(storage.setAlarm("soon" as unknown as number)).rejects.toThrow(
      new TypeError("setAlarm() expects a Date or a number of milliseconds since the epoch, got string."),
    );
    expect(await storage.getAlarm()).toBeNull();
    // The latest time production accepts is stored.
    await storage.setAlarm(9_223_372_036_854);
    expect(await storage.getAlarm()).toBe(9_223_372_036_854);
    await expect(noAlarmStorage.setAlarm(Date.now() + 1000)).rejects.toThrow(
      new Error("Your Durable Object class must have an alarm() handler in order to call setAlarm()"),
    );
    expect(await noAlarmStorage.getAlarm()).toBeNull();
  });

  it("leaves nothing half-written when one entry of a batch is refused", async () => {
    await expect(storage.put({ a: 1, b: () => 2, c: 3 })).rejects.toThrow("could not be cloned");
    await expect(storage.put({ a: 1, b: bigValue })).rejects.toThrow(RangeError);
    expect((await storage.list()).size).toBe(0);
  });
});
