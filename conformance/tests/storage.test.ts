// The key-value storage API on both backends: a baseline of ordinary
// behaviours, so the suite is a regression net and not only a list of gaps.
import { env, evictDurableObject, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RpcObject } from "../src/index";
import { unique } from "./helpers";

function sqlite() {
  return env.SQL.getByName(unique("storage"));
}

function message(error: unknown): string {
  return `${(error as Error).name}: ${(error as Error).message}`;
}

describe("storage", () => {
  it("put and get, one key and several", async () => {
    const result = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put("a", 1);
      await state.storage.put({ b: 2, c: 3 });
      return [await state.storage.get("a"), [...(await state.storage.get(["a", "c", "missing"])).entries()]];
    });
    expect(result).toEqual([
      1,
      [
        ["a", 1],
        ["c", 3],
      ],
    ]);
  });

  it("list with prefix, reverse and limit, in UTF-8 byte order", async () => {
    const result = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put({ "k:b": 2, "k:a": 1, "k:\u00e9": 4, "k:z": 3, other: 0 });
      const all = [...(await state.storage.list({ prefix: "k:" })).keys()];
      const last = [...(await state.storage.list({ prefix: "k:", reverse: true, limit: 2 })).keys()];
      return [all, last];
    });
    expect(result).toEqual([
      ["k:a", "k:b", "k:z", "k:\u00e9"],
      ["k:\u00e9", "k:z"],
    ]);
  });

  it("list with start and end (end exclusive)", async () => {
    const keys = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put({ a: 1, b: 2, c: 3, d: 4 });
      return [...(await state.storage.list({ start: "b", end: "d" })).keys()];
    });
    expect(keys).toEqual(["b", "c"]);
  });

  it("delete returns whether the key existed, and counts for several", async () => {
    const result = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put({ a: 1, b: 2 });
      return [await state.storage.delete("a"), await state.storage.delete("a"), await state.storage.delete(["b", "c"])];
    });
    expect(result).toEqual([true, false, 1]);
  });

  it("keeps structured-clone types", async () => {
    const value = { date: new Date(7), map: new Map([[1, "one"]]), set: new Set(["s"]), bytes: new Uint8Array([9]) };
    const read = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put("v", value);
      return state.storage.get("v");
    });
    expect(read).toEqual(value);
  });

  it("transaction rolls back on a throw", async () => {
    const read = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put("n", 1);
      await state.storage
        .transaction(async (txn) => {
          await txn.put("n", 2);
          throw new Error("undo");
        })
        .catch(() => undefined);
      return state.storage.get("n");
    });
    expect(read).toBe(1);
  });

  it("transaction commits what it wrote", async () => {
    const read = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.transaction(async (txn) => {
        await txn.put("n", (((await txn.get<number>("n")) ?? 0) as number) + 5);
      });
      return state.storage.get("n");
    });
    expect(read).toBe(5);
  });

  it("deleteAll empties key-value storage", async () => {
    const result = await runInDurableObject(sqlite(), async (_instance, state) => {
      await state.storage.put({ a: 1, b: 2 });
      await state.storage.deleteAll();
      return (await state.storage.list()).size;
    });
    expect(result).toBe(0);
  });

  it("synchronous kv on SQLite", async () => {
    const result = await runInDurableObject(sqlite(), (_instance, state) => {
      state.storage.kv.put("a", { x: 1 });
      state.storage.kv.put("b", 2);
      return [state.storage.kv.get("a"), [...state.storage.kv.list()].map(([key]) => key), state.storage.kv.delete("b")];
    });
    expect(result).toEqual([{ x: 1 }, ["a", "b"], true]);
  });

  it("put(key, undefined) is a TypeError", async () => {
    const text = await runInDurableObject(sqlite(), async (_instance, state) => {
      try {
        await state.storage.put("a", undefined);
        return "no error";
      } catch (error) {
        return message(error);
      }
    });
    expect(text).toBe("TypeError: put() called with undefined value.");
  });

  it("list with a limit of 0 is a TypeError", async () => {
    const text = await runInDurableObject(sqlite(), async (_instance, state) => {
      try {
        await state.storage.list({ limit: 0 });
        return "no error";
      } catch (error) {
        return message(error);
      }
    });
    expect(text).toBe("TypeError: List limit must be positive.");
  });

  it("deleteAll deletes the alarm too (compatibility date 2026-02-24 on)", async () => {
    const alarm = await runInDurableObject(env.ALARMS.getByName(unique("storage")), async (_instance, state) => {
      await state.storage.setAlarm(Date.now() + 60_000);
      await state.storage.deleteAll();
      return state.storage.getAlarm();
    });
    expect(alarm).toBeNull();
  });

  it("a key-value-backed object counts", async () => {
    const object = env.KV_OBJECT.getByName(unique("kv"));
    expect(await object.increment()).toBe(1);
    expect(await object.increment()).toBe(2);
  });

  it("sql on a key-value-backed object is refused", async () => {
    const text = await runInDurableObject(env.KV_OBJECT.getByName(unique("kv")), (_instance, state) => {
      try {
        state.storage.sql.exec("SELECT 1");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(text).toMatch(/^SQL is not enabled for this Durable Object class\./);
  });

  it("synchronous kv on a key-value-backed object is refused", async () => {
    const text = await runInDurableObject(env.KV_OBJECT.getByName(unique("kv")), (_instance, state) => {
      try {
        state.storage.kv.get("a");
        return "no error";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(text).toMatch(/^The storage.kv \(synchronous KV\) API is only available for SQLite-backed Durable Objects/);
  });

  it("evictDurableObject keeps storage, and the old stub still answers", async () => {
    const object = env.RPC.getByName(unique("evict"));
    expect(await object.increment()).toBe(1);
    await evictDurableObject(object);
    expect(await object.increment()).toBe(2);
  });

  it("ctx.exports reaches the worker's own Durable Object classes", async () => {
    const name = unique("exports");
    const answer = await runInDurableObject(sqlite(), (_instance, state) => {
      const exported = (state as unknown as { exports: Record<string, DurableObjectNamespace<RpcObject>> }).exports;
      return exported.RpcObject.getByName(name).ping();
    });
    expect(answer).toBe("pong");
  });

  it("a stub from getByName has the name", () => {
    const name = unique("named");
    expect(env.RPC.getByName(name).name).toBe(name);
  });

  it("ids: named ids keep their name, idFromString round-trips", async () => {
    const name = unique("ids");
    const id = env.SQL.idFromName(name);
    expect(id.name).toBe(name);
    expect(env.SQL.idFromString(id.toString()).equals(id)).toBe(true);
    const seen = await runInDurableObject(env.SQL.get(id), (_instance, state) => state.id.name);
    expect(seen).toBe(name);
  });

  it("idFromString of a bad string throws workerd's message", () => {
    expect(() => env.SQL.idFromString("nope")).toThrow("Invalid Durable Object ID: must be 64 hex digits");
  });

  it("listDurableObjectIds lists an object that stored something", async () => {
    const name = unique("listed");
    const object = env.KV_OBJECT.getByName(name);
    await object.increment();
    const ids = (await listDurableObjectIds(env.KV_OBJECT)).map((id) => id.toString());
    expect(ids).toContain(env.KV_OBJECT.idFromName(name).toString());
  });
});

// Production enforces these limits (shared/reference/behaviour.md); local
// workerd does not. durabox follows production, so these differ on purpose.
describe("storage limits (local workerd accepts what production refuses)", () => {
  async function outcome(run: (storage: DurableObjectStorage) => Promise<unknown>): Promise<string> {
    return runInDurableObject(env.KV_OBJECT.getByName(unique("limits")), async (_instance, state) => {
      try {
        await run(state.storage);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    });
  }

  it("a value over 128 KiB is accepted", async () => {
    expect(await outcome((storage) => storage.put("big", "x".repeat(140_000)))).toBe("accepted");
  });

  it("a key over 2048 bytes is accepted", async () => {
    expect(await outcome((storage) => storage.put("k".repeat(2049), 1))).toBe("accepted");
  });

  it("a get of 129 keys is accepted", async () => {
    expect(await outcome((storage) => storage.get(Array.from({ length: 129 }, (_, i) => `k${i}`)))).toBe("accepted");
  });
});
