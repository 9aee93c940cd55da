import { describe, expect, it } from "vitest";
import { LayeredBackend } from "../../src/storage/backends/layered.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { serialize, deserialize } from "../../src/storage/codec.js";
import { countingBackend } from "../helpers/counting-backend.js";
import type { ObjectStore, StorageBackend } from "../../src/storage/backend.js";

const address = { namespace: "ns", id: "obj" };
const put = (store: ObjectStore, entries: Record<string, unknown>) =>
  store.commit({ puts: Object.entries(entries).map(([k, v]) => [k, serialize(v)] as const) });
const list = async (store: ObjectStore, query = {}) => (await store.list(query)).map(([k, v]) => [k, deserialize(v)]);

describe("LayeredBackend (per-test snapshots)", () => {
  it("push and pop touch nothing below, however much is stored", async () => {
    const memory = new MemoryBackend();
    const base = memory.object(address);
    for (let i = 0; i < 100; i++) {
      await put(base, Object.fromEntries(Array.from({ length: 100 }, (_, j) => [`k${i}-${j}`, j])));
    }
    const { backend, calls } = countingBackend(memory);
    const layered = new LayeredBackend(backend);
    for (let i = 0; i < 1000; i++) {
      layered.push();
      layered.pop();
    }
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("writes in a layer are seen while it is pushed and gone after pop; below is never changed", async () => {
    const memory = new MemoryBackend();
    const layered = new LayeredBackend(memory);
    const store = layered.object(address);
    await put(store, { a: 1, b: 2 });
    layered.push();
    await put(store, { b: 20, c: 30 });
    await store.commit({ deletes: ["a"] });
    expect(await list(store)).toEqual([
      ["b", 20],
      ["c", 30],
    ]);
    expect(await list(memory.object(address))).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    layered.pop();
    expect(await list(store)).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("nests: each pop restores what the layer below saw", async () => {
    const layered = new LayeredBackend(new MemoryBackend());
    const store = layered.object(address);
    layered.push(); // beforeAll of a describe
    await put(store, { outer: 1 });
    layered.push(); // a test
    await put(store, { inner: 2 });
    await store.commit({ deletes: ["outer"] });
    expect(await list(store)).toEqual([["inner", 2]]);
    layered.pop();
    expect(await list(store)).toEqual([["outer", 1]]);
    layered.pop();
    expect(await list(store)).toEqual([]);
  });

  it("deleteAll in a layer hides everything below, including the alarm, until popped", async () => {
    const layered = new LayeredBackend(new MemoryBackend());
    const store = layered.object(address);
    await put(store, { a: 1 });
    await store.commit({ alarm: 1234 });
    layered.push();
    await store.commit({ deleteAll: true });
    await put(store, { z: 9 });
    expect(await list(store)).toEqual([["z", 9]]);
    expect(await store.getAlarm()).toBeNull();
    expect(await layered.listAlarms()).toEqual([]);
    expect(layered.pop()).toEqual([address]);
    expect(await list(store)).toEqual([["a", 1]]);
    expect(await store.getAlarm()).toBe(1234);
  });

  it("lists with limits across layers and tombstones", async () => {
    const layered = new LayeredBackend(new MemoryBackend());
    const store = layered.object(address);
    await put(store, { a: 1, b: 2, c: 3, d: 4, e: 5 });
    layered.push();
    await store.commit({ deletes: ["a", "b"] });
    await put(store, { bb: 22 });
    expect(await list(store, { limit: 2 })).toEqual([
      ["bb", 22],
      ["c", 3],
    ]);
    expect(await list(store, { limit: 2, reverse: true })).toEqual([
      ["e", 5],
      ["d", 4],
    ]);
    expect(await list(store, { start: "b", end: "d" })).toEqual([
      ["bb", 22],
      ["c", 3],
    ]);
    expect((await store.get(["a", "bb", "c"])).map((v) => v && deserialize(v))).toEqual([undefined, 22, 3]);
    expect(await store.commit({ deletes: ["bb", "c", "a"] })).toEqual({ ok: true, deleted: 2 });
  });

  it("lists the objects that hold data in the merged view", async () => {
    const layered = new LayeredBackend(new MemoryBackend());
    await put(layered.object({ namespace: "ns", id: "one" }), { a: 1 });
    layered.push();
    await put(layered.object({ namespace: "ns", id: "two" }), { a: 1 });
    await layered.object({ namespace: "ns", id: "one" }).commit({ deletes: ["a"] });
    expect(await layered.listObjects("ns")).toEqual(["two"]);
    layered.pop();
    expect(await layered.listObjects("ns")).toEqual(["one"]);
  });

  it("fails a transaction that spans a push or pop", async () => {
    const layered = new LayeredBackend(new MemoryBackend());
    const store = layered.object(address);
    const since = await store.readVersion();
    layered.push();
    const result = await store.commit({ puts: [["k", serialize(1)]], readSet: { since, keys: ["k"], ranges: [] } });
    expect(result.ok).toBe(false);
  });

  it("claims an alarm stored below from the storage below, and one a layer holds as its own", async () => {
    const memory = new MemoryBackend();
    const claimed: number[] = [];
    const shared: StorageBackend = {
      object(at) {
        const store = memory.object(at);
        return {
          get: (keys) => store.get(keys),
          list: (query) => store.list(query),
          getAlarm: () => store.getAlarm(),
          readVersion: () => store.readVersion(),
          commit: (batch) => store.commit(batch),
          claimAlarm: (time) => (claimed.push(time), { claimed: false, heldUntil: 1 }),
        };
      },
      listObjects: (namespace) => memory.listObjects(namespace),
      listAlarms: () => memory.listAlarms(),
      close: () => memory.close(),
    };
    const layered = new LayeredBackend(shared);
    const store = layered.object(address);
    await store.commit({ alarm: 100 });
    expect(await store.claimAlarm!(100)).toEqual({ claimed: false, heldUntil: 1 });
    layered.push();
    expect(await store.claimAlarm!(100)).toEqual({ claimed: false, heldUntil: 1 });
    await store.commit({ alarm: 200 });
    expect(await store.claimAlarm!(200)).toMatchObject({ claimed: true });
    layered.pop();
    layered.push();
    await store.commit({ deleteAll: true });
    expect(await store.claimAlarm!(100)).toMatchObject({ claimed: true });
    expect(claimed).toEqual([100, 100]);
  });
});
