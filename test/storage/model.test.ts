import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ObjectRuntime } from "../../src/objects/runtime.js";
import { MemoryBackend } from "../../src/storage/backends/memory.js";
import { LayeredBackend } from "../../src/storage/backends/layered.js";
import { SlowBackend } from "../helpers/slow-backend.js";
import { FileBackend } from "../../src/storage/backends/file.js";
import { RedisBackend } from "../../src/storage/backends/redis.js";
import { requireRedisOrSkip, startRedis, type RedisServer } from "../helpers/redis.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { StorageBackend } from "../../src/storage/backend.js";
import type { ObjectStorage } from "../../src/objects/object-storage.js";
import type { ObjectTransaction } from "../../src/sql/object-storage.js";

/**
 * Randomized model-based test: long random sequences of storage operations
 * (single and batch get/put/delete, list with every option, deleteAll,
 * transactions that commit or roll back, and, on the layered backend,
 * snapshot push/pop) run against durabox and against a plain reference
 * model (a Map, sorted by UTF-8 bytes on list); every answer must agree.
 */

// Lone surrogates (halves of "\u{1F600}" among them) are stored as U+FFFD, as UTF-8 makes them.
const KEYS = ["", "a", "ab", "abc", "b", "ba", "é", "a/b", "a:b", "\uE000", "\u{1F600}", "z"];
const LONE_SURROGATE_KEYS = ["\uD800", "\uDC00", "\uFFFD", "\uD83D", "a\uDE00", "\uDE00\uD83D"];
const key = fc.constantFrom(...KEYS, ...LONE_SURROGATE_KEYS);
const value = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.record({ n: fc.integer() }), fc.constant(null));
const listOptions = fc
  .record(
    {
      start: key,
      startAfter: key,
      end: key,
      prefix: fc.constantFrom("", "a", "b", "\u{1F600}", "q", "\uD83D", "\uFFFD"),
      reverse: fc.boolean(),
      limit: fc.integer({ min: 1, max: 5 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => (o.start !== undefined && o.startAfter !== undefined ? { ...o, startAfter: undefined } : o));

type Op =
  | { op: "get"; key: string }
  | { op: "getMany"; keys: string[] }
  | { op: "put"; key: string; value: unknown }
  | { op: "putMany"; entries: [string, unknown][] }
  | { op: "delete"; key: string }
  | { op: "deleteMany"; keys: string[] }
  | { op: "list"; options: ListOpts }
  | { op: "deleteAll" }
  | { op: "txn"; ops: Op[]; rollback: boolean }
  | { op: "push" }
  | { op: "pop" };
type ListOpts = { start?: string; startAfter?: string; end?: string; prefix?: string; reverse?: boolean; limit?: number };

const basicOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: key.map((k) => ({ op: "get" as const, key: k })) },
  { weight: 1, arbitrary: fc.array(key, { maxLength: 4 }).map((keys) => ({ op: "getMany" as const, keys })) },
  { weight: 4, arbitrary: fc.tuple(key, value).map(([k, v]) => ({ op: "put" as const, key: k, value: v })) },
  { weight: 1, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 4 }).map((entries) => ({ op: "putMany" as const, entries })) },
  { weight: 2, arbitrary: key.map((k) => ({ op: "delete" as const, key: k })) },
  { weight: 1, arbitrary: fc.array(key, { maxLength: 4 }).map((keys) => ({ op: "deleteMany" as const, keys })) },
  { weight: 3, arbitrary: listOptions.map((options) => ({ op: "list" as const, options })) },
);
const op = (layered: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 12, arbitrary: basicOp },
    { weight: 1, arbitrary: fc.constant({ op: "deleteAll" as const }) },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant("txn" as const), ops: fc.array(basicOp, { maxLength: 6 }), rollback: fc.boolean() }),
    },
    ...(layered
      ? [
          { weight: 1, arbitrary: fc.constant({ op: "push" as const }) },
          { weight: 1, arbitrary: fc.constant({ op: "pop" as const }) },
        ]
      : []),
  );

const utf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
/** A key as UTF-8 storage keeps it: encoded and decoded (lone surrogates become U+FFFD). */
const stored = (k: string): string => Buffer.from(k).toString("utf8");

/** The reference: a plain Map, and list() done the obvious way. */
class Model {
  constructor(public data = new Map<string, unknown>()) {}
  list(o: ListOpts): [string, unknown][] {
    let keys = [...this.data.keys()].sort(utf8);
    if (o.prefix !== undefined) keys = keys.filter((k) => k.startsWith(stored(o.prefix!)));
    if (o.start !== undefined) keys = keys.filter((k) => utf8(k, stored(o.start!)) >= 0);
    if (o.startAfter !== undefined) keys = keys.filter((k) => utf8(k, stored(o.startAfter!)) > 0);
    if (o.end !== undefined) keys = keys.filter((k) => utf8(k, stored(o.end!)) < 0);
    if (o.reverse) keys.reverse();
    if (o.limit !== undefined) keys = keys.slice(0, o.limit);
    return keys.map((k) => [k, this.data.get(k)]);
  }
  apply(o: Op): unknown {
    switch (o.op) {
      case "get":
        return this.data.get(stored(o.key));
      case "getMany":
        return [...new Set(o.keys.map(stored))]
          .sort(utf8)
          .filter((k) => this.data.has(k))
          .map((k) => [k, this.data.get(k)]);
      case "put":
        this.data.set(stored(o.key), o.value);
        return undefined;
      case "putMany":
        // What put() receives: an object, whose keys are distinct before they are stored.
        for (const [k, v] of Object.entries(Object.fromEntries(o.entries))) this.data.set(stored(k), v);
        return undefined;
      case "delete":
        return this.data.delete(stored(o.key));
      case "deleteMany":
        return [...new Set(o.keys.map(stored))].filter((k) => this.data.delete(k)).length;
      case "list":
        return this.list(o.options);
      case "deleteAll":
        this.data.clear();
        return undefined;
      default:
        throw new Error(`model cannot apply ${o.op}`);
    }
  }
}

async function applyReal(storageOrTxn: ObjectStorage | ObjectTransaction, o: Op): Promise<unknown> {
  // A transaction offers the same calls (deleteAll aside, which it refuses).
  const target = storageOrTxn as ObjectStorage;
  switch (o.op) {
    case "get":
      return target.get(o.key);
    case "getMany":
      return [...(await target.get(o.keys)).entries()];
    case "put":
      return target.put(o.key, o.value);
    case "putMany":
      return target.put(Object.fromEntries(o.entries));
    case "delete":
      return target.delete(o.key);
    case "deleteMany":
      return target.delete(o.keys);
    case "list":
      return [...(await target.list(o.options)).entries()];
    case "deleteAll":
      return target.deleteAll();
    default:
      throw new Error(`cannot apply ${o.op} directly`);
  }
}

let sequence = 0;

async function runSequence(ops: Op[], makeBackend: () => StorageBackend, layers?: LayeredBackend): Promise<void> {
  const backend = layers ?? makeBackend();
  const runtime = new ObjectRuntime(backend, { automaticAlarms: false });
  // A namespace per sequence: a shared Redis starts every sequence empty.
  const identity = `m${++sequence}-${process.pid}#M`;
  runtime.define({ identity, storageKind: "key-value", className: "M", resolve: () => ({ objectClass: class {}, env: {} }) });
  const storage = runtime.storage(runtime.namespace(identity).idFromName("model"));
  try {
    await runOps(ops, storage, layers);
  } finally {
    await runtime.dispose();
  }
}

async function runOps(ops: Op[], storage: ObjectStorage, layers: LayeredBackend | undefined): Promise<void> {
  const models: Model[] = [new Model()];
  const model = (): Model => models[models.length - 1]!;
  for (const o of ops) {
    if (o.op === "push") {
      layers!.push();
      models.push(new Model(new Map(model().data)));
    } else if (o.op === "pop") {
      if (layers!.depth === 0) continue;
      layers!.pop();
      models.pop();
    } else if (o.op === "txn") {
      const shadow = new Model(new Map(model().data));
      const expected: unknown[] = [];
      const actual = await storage.transaction(async (txn) => {
        const results: unknown[] = [];
        for (const inner of o.ops) {
          expected.push(shadow.apply(inner));
          results.push(await applyReal(txn, inner));
        }
        if (o.rollback) txn.rollback();
        return results;
      });
      expect(actual).toEqual(expected);
      if (!o.rollback) model().data = shadow.data;
    } else {
      expect(await applyReal(storage, o)).toEqual(model().apply(o));
    }
  }
  expect([...(await storage.list()).entries()]).toEqual(model().list({}));
}

// 100 sequences of 100 operations per backend: 10,000 operations each.
const RUNS = 100;
const LENGTH = 100;

describe("storage against a reference model", () => {
  it("memory backend: 10,000 random operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(false), { minLength: LENGTH, maxLength: LENGTH }), (ops) => runSequence(ops, () => new MemoryBackend())),
      { numRuns: RUNS },
    );
  });

  it("asynchronous backend: 10,000 random operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(false), { minLength: LENGTH, maxLength: LENGTH }), (ops) =>
        runSequence(ops, () => new SlowBackend(new MemoryBackend(), 0)),
      ),
      { numRuns: RUNS },
    );
  });

  it("file backend: 10,000 random operations, each sequence in a fresh directory", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "durabox-model-"));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op(false), { minLength: LENGTH, maxLength: LENGTH }), (ops) =>
        runSequence(ops, () => new FileBackend(path.join(root, String(n++)))),
      ),
      { numRuns: RUNS },
    );
  });

  it("layered backend with snapshots pushed and popped: 10,000 random operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(true), { minLength: LENGTH, maxLength: LENGTH }), (ops) =>
        runSequence(ops, () => new MemoryBackend(), new LayeredBackend(new MemoryBackend())),
      ),
      { numRuns: RUNS },
    );
  });
});

const withRedis = requireRedisOrSkip();
describe.skipIf(!withRedis)("storage against a reference model, on Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it("redis backend: 10,000 random operations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op(false), { minLength: LENGTH, maxLength: LENGTH }), (ops) =>
        runSequence(ops, () => new RedisBackend(redis.url)),
      ),
      { numRuns: RUNS },
    );
  });
});
