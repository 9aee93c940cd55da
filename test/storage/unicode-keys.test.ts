import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeWith } from "../helpers/runtime.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { FileBackend } from "../../src/storage/backends/file.js";
import { RedisBackend } from "../../src/storage/backends/redis.js";
import { LayeredBackend } from "../../src/storage/backends/layered.js";
import type { StorageBackend } from "../../src/storage/backend.js";

class Obj {}
const withRedis = requireRedisOrSkip();
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (withRedis) redis = await startRedis();
});
afterAll(() => redis?.stop());

let objects = 0;
const backends: Record<string, () => StorageBackend> = {
  memory: () => new MemoryBackend(),
  file: () => new FileBackend(mkdtempSync(path.join(tmpdir(), "durabox-keys-"))),
  layered: () => {
    const layered = new LayeredBackend(new MemoryBackend());
    layered.push();
    return layered;
  },
  ...(withRedis && { redis: () => new RedisBackend(redis!.url) }),
};

// UTF-8 storage (Redis, production) turns a lone surrogate into U+FFFD: every backend agrees.
describe.each(Object.keys(backends))("keys with lone surrogates (%s backend)", (kind) => {
  it('stores "\\uD800", "\\uDC00" and "\\uFFFD" as one key, listed as "\\uFFFD"', async () => {
    const backend = backends[kind]!();
    const { runtime, ns } = runtimeWith({ Obj }, { backend });
    const storage = runtime.storage(ns("Obj").idFromName(`k${++objects}-${process.pid}`));
    try {
      await storage.put("\uD800", 1);
      expect(await storage.get("\uFFFD")).toBe(1);
      expect(await storage.get("\uDC00")).toBe(1);
      await storage.put({ "x\uDC00": 2, "\uD83D": 3 });
      expect([...(await storage.list()).entries()]).toEqual([
        ["x\uFFFD", 2],
        ["\uFFFD", 3],
      ]);
      expect([...(await storage.get(["\uD800", "\uFFFD", "x\uD800"])).entries()]).toEqual([
        ["x\uFFFD", 2],
        ["\uFFFD", 3],
      ]);
      expect([...(await storage.list({ prefix: "\uDBFF" })).keys()]).toEqual(["\uFFFD"]);
      expect([...(await storage.list({ startAfter: "x\uD800" })).keys()]).toEqual(["\uFFFD"]);
      // A pair stays a pair: only halves are replaced.
      await storage.put("\u{1F600}", 4);
      expect(await storage.get("\uD83D\uDE00")).toBe(4);
      await storage.transaction(async (txn) => {
        expect(await txn.get("\uDFFF")).toBe(3);
        await txn.put("y\uD800", 5);
      });
      expect(await storage.get("y\uFFFD")).toBe(5);
      expect(await storage.delete("\uDC00")).toBe(true);
      expect(await storage.get("\uFFFD")).toBeUndefined();
      expect([...(await storage.list()).keys()]).toEqual(["x\uFFFD", "y\uFFFD", "\u{1F600}"]);
    } finally {
      await runtime.dispose();
    }
  });
});
