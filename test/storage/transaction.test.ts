import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileBackend } from "../../src/storage/backends/file.js";
import { RedisBackend } from "../../src/storage/backends/redis.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";
import type { StorageBackend } from "../../src/storage/backend.js";
import { runtimeWith } from "../helpers/runtime.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { MAX_TRANSACTION_ATTEMPTS } from "../../src/storage/storage.js";
import type { ObjectStorage } from "../../src/objects/object-storage.js";
import { DuraboxError } from "../../src/base/errors.js";

class Obj {
  alarm(): void {}
}

const withRedis = requireRedisOrSkip();
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (withRedis) redis = await startRedis();
});
afterAll(() => redis?.stop());

const kinds = ["memory", "async", "file", ...(withRedis ? (["redis"] as const) : [])] as const;
let objects = 0;

for (const kind of kinds) {
  describe(`transactions (${kind} backend)`, () => {
    let storage: ObjectStorage;
    let backend: StorageBackend;
    beforeEach(() => {
      backend =
        kind === "memory"
          ? new MemoryBackend()
          : kind === "async"
            ? new SlowBackend(new MemoryBackend(), 0)
            : kind === "file"
              ? new FileBackend(mkdtempSync(path.join(tmpdir(), "durabox-txn-")))
              : new RedisBackend(redis!.url);
      const { runtime, ns } = runtimeWith({ Obj }, { backend });
      // A fresh object per test: a shared Redis keeps earlier tests' data.
      storage = runtime.storage(ns("Obj").idFromName(`t${++objects}-${process.pid}`));
    });
    afterEach(() => backend.close());

    it("commits all writes together and returns the closure's value", async () => {
      const result = await storage.transaction(async (txn) => {
        await txn.put("a", 1);
        await txn.put({ b: 2, c: 3 });
        expect(await storage.get("a")).toBeUndefined(); // not visible outside before commit
        expect(await txn.get("a")).toBe(1); // visible inside
        return "done";
      });
      expect(result).toBe("done");
      expect([...(await storage.list()).entries()]).toEqual([
        ["a", 1],
        ["b", 2],
        ["c", 3],
      ]);
    });

    it("commits nothing when the closure throws or rolls back", async () => {
      await expect(
        storage.transaction(async (txn) => {
          await txn.put("a", 1);
          throw new Error("no");
        }),
      ).rejects.toThrow("no");
      await storage.transaction(async (txn) => {
        await txn.put("b", 1);
        txn.rollback();
      });
      expect((await storage.list()).size).toBe(0);
    });

    it("reads its own writes and deletes in get and list", async () => {
      await storage.put({ a: 1, b: 2, c: 3 });
      await storage.transaction(async (txn) => {
        await txn.delete("b");
        await txn.put("d", 4);
        expect(await txn.delete("zz")).toBe(false);
        expect([...(await txn.list()).keys()]).toEqual(["a", "c", "d"]);
        expect([...(await txn.list({ limit: 2, reverse: true })).keys()]).toEqual(["d", "c"]);
        expect([...(await txn.get(["a", "b", "d"])).keys()]).toEqual(["a", "d"]);
      });
      expect([...(await storage.list()).keys()]).toEqual(["a", "c", "d"]);
    });

    it("50 concurrent increments end at 50 with at most 100 closure calls", async () => {
      await storage.put("n", 0);
      let calls = 0;
      await Promise.all(
        Array.from({ length: 50 }, () =>
          storage.transaction(async (txn) => {
            calls++;
            const n = (await txn.get<number>("n"))!;
            await txn.put("n", n + 1);
          }),
        ),
      );
      expect(await storage.get("n")).toBe(50);
      expect(calls).toBeLessThanOrEqual(100);
    });

    it("conflicts with a write to a key it read", async () => {
      await storage.put("k", 1);
      let calls = 0;
      await storage.transaction(async (txn) => {
        calls++;
        const k = (await txn.get<number>("k"))!;
        if (calls === 1) await storage.put("k", 10); // a write from outside, mid-transaction
        await txn.put("copy", k);
      });
      expect(calls).toBe(2);
      expect(await storage.get("copy")).toBe(10);
    });

    it("conflicts with a phantom insert into a range it listed", async () => {
      await storage.put({ "item:1": 1, "item:2": 2 });
      let calls = 0;
      await storage.transaction(async (txn) => {
        calls++;
        const items = await txn.list({ prefix: "item:" });
        if (calls === 1) await storage.put("item:3", 3); // phantom
        await txn.put("count", items.size);
      });
      expect(calls).toBe(2);
      expect(await storage.get("count")).toBe(3);
    });

    it("does not conflict with writes outside what it read", async () => {
      await storage.put({ "item:1": 1, other: 0 });
      let calls = 0;
      await storage.transaction(async (txn) => {
        calls++;
        await txn.list({ prefix: "item:" });
        await txn.get("missing");
        if (calls === 1) await storage.put({ other: 1, zzz: 1, item: 1 });
        await txn.put("x", 1);
      });
      expect(calls).toBe(1);
    });

    it("limits the listed range to what a limited list returned", async () => {
      await storage.put({ a: 1, b: 2, c: 3 });
      let calls = 0;
      await storage.transaction(async (txn) => {
        calls++;
        await txn.list({ limit: 2 }); // depends on a..b only
        if (calls === 1) await storage.put("bb", 1); // beyond the page: no conflict
        if (calls === 1) await storage.put("c", 30);
      });
      expect(calls).toBe(1);
      calls = 0;
      await storage.transaction(async (txn) => {
        calls++;
        await txn.list({ limit: 2 });
        if (calls === 1) await storage.put("aa", 1); // inside the page: conflict
      });
      expect(calls).toBe(2);
    });

    it("gives up after a bounded number of attempts with a clear error", async () => {
      let calls = 0;
      const error = await storage
        .transaction(async (txn) => {
          calls++;
          await txn.get("hot");
          await storage.put("hot", calls); // always races itself
          await txn.put("x", 1);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuraboxError);
      expect((error as DuraboxError).code).toBe("ERR_TRANSACTION_CONTENTION");
      expect((error as Error).message).toMatch(/attempts/);
      expect(calls).toBe(MAX_TRANSACTION_ATTEMPTS);
      expect(await storage.get("x")).toBeUndefined();
    });

    it("sets and deletes the alarm with the commit", async () => {
      const time = Date.now() + 60_000;
      await storage.transaction(async (txn) => {
        await txn.setAlarm(time);
        expect(await txn.getAlarm()).toBe(time);
        expect(await storage.getAlarm()).toBeNull();
      });
      expect(await storage.getAlarm()).toBe(time);
      await storage.transaction((txn) => txn.deleteAlarm());
      expect(await storage.getAlarm()).toBeNull();
    });
  });
}
