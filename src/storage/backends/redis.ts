import { addressFromKey, addressKey, type ObjectAddress } from "../address.js";
import { DuraboxError, disposedStorageError } from "../../base/errors.js";
import { nodeRequire } from "../../base/node-require.js";
import { COMMIT, LIST } from "./redis-scripts.js";
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import type {
  CommitResult,
  ListQuery,
  ObjectStore,
  ReadVersion,
  ScheduledAlarm,
  StorageBackend,
  StoredEntry,
  WriteBatch,
} from "../backend.js";

type RedisConstructor = new (url: string, options: RedisOptions) => RedisClient;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

const PREFIX = "durabox:";

/**
 * Durable Object data in Redis (ioredis). Each object's keys are a sorted
 * set (range scans by bytes: O(log n + k)) beside a hash of values; every
 * write, and a transaction's validation with it, is one Lua script, so it is
 * atomic and several processes can share one Redis without losing updates.
 * Alarms live in one sorted set by time. When Redis is unreachable, calls
 * fail at once with an error naming the URL (nothing is queued to replay
 * half-applied later), and work resumes once the client reconnects.
 */
export class RedisBackend implements StorageBackend {
  readonly url: string;
  readonly #client: RedisClient;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(url: string) {
    this.url = url;
    const Redis = (nodeRequire("ioredis") as { default: RedisConstructor }).default;
    this.#client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      // Keep reconnecting in the background: work resumes when Redis is back.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
    });
    // Connection errors surface from the calls that fail; this keeps them from being unhandled.
    this.#client.on("error", () => {});
    this.#client.defineCommand("duraboxCommit", { numberOfKeys: 6, lua: COMMIT });
    this.#client.defineCommand("duraboxList", { numberOfKeys: 2, lua: LIST });
  }

  /** Runs a command once connected, turning any failure into a clear error naming the URL. */
  async call<T>(operation: string, command: (client: RedisClient) => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw disposedStorageError();
    }
    try {
      if (this.#client.status === "wait") this.#connecting ??= this.#client.connect();
      if (this.#connecting !== undefined) {
        await this.#connecting.finally(() => (this.#connecting = undefined));
      }
      return await command(this.#client);
    } catch (error) {
      if (error instanceof DuraboxError) throw error;
      if ((error as Error).name === "ReplyError") {
        throw new DuraboxError(
          "ERR_STORAGE",
          `Durable Object storage ${operation}: Redis at ${redactUrl(this.url)} refused the command (${(error as Error).message}).`,
          { cause: error },
        );
      }
      throw new DuraboxError(
        "ERR_STORAGE",
        `Durable Object storage ${operation} failed: Redis at ${redactUrl(this.url)} is unavailable (${(error as Error).message}). Nothing was half-written; retry once Redis is back.`,
        { cause: error },
      );
    }
  }

  object(address: ObjectAddress): ObjectStore {
    return new RedisObjectStore(this, address);
  }

  listObjects(namespace: string): Promise<string[]> {
    return this.call("listing objects", (client) => client.smembers(`${PREFIX}objects:${namespace}`));
  }

  listAlarms(): Promise<ScheduledAlarm[]> {
    return this.call("listing alarms", async (client) => {
      const flat = await client.zrange(`${PREFIX}alarms`, 0, -1, "WITHSCORES");
      const alarms: ScheduledAlarm[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const { namespace, id } = addressFromKey(flat[i]!);
        alarms.push({ namespace, id, time: Number(flat[i + 1]) });
      }
      return alarms;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === "ready") await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }
}

interface ScriptClient {
  duraboxCommit(...args: (string | Buffer)[]): Promise<[number, number]>;
  duraboxListBuffer(...args: string[]): Promise<(Buffer | null)[]>;
}

class RedisObjectStore implements ObjectStore {
  readonly #backend: RedisBackend;
  readonly #keys: { k: string; v: string; n: string; l: string };
  readonly #member: string;
  readonly #address: ObjectAddress;

  constructor(backend: RedisBackend, address: ObjectAddress) {
    this.#backend = backend;
    this.#address = address;
    // The hash tag keeps an object's keys on one node of a cluster.
    const base = `${PREFIX}{${addressKey(address)}}:`;
    this.#keys = { k: `${base}k`, v: `${base}v`, n: `${base}n`, l: `${base}l` };
    this.#member = addressKey(address);
  }

  get(keys: readonly string[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.#backend.call("get", async (client) => {
      const values = await client.hmgetBuffer(this.#keys.v, ...keys);
      return values.map((value) => (value === null ? undefined : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)));
    });
  }

  list(query: ListQuery): Promise<StoredEntry[]> {
    const min = query.start === undefined ? "-" : `[${query.start}`;
    const max = query.end === undefined ? "+" : `(${query.end}`;
    return this.#backend.call("list", async (client) => {
      const flat = await (client as unknown as ScriptClient).duraboxListBuffer(
        this.#keys.k,
        this.#keys.v,
        min,
        max,
        query.reverse ? "1" : "0",
        String(query.limit ?? -1),
      );
      const entries: StoredEntry[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const value = flat[i + 1];
        if (value === undefined || value === null) continue;
        entries.push([flat[i]!.toString("utf8"), new Uint8Array(value.buffer, value.byteOffset, value.byteLength)]);
      }
      return entries;
    });
  }

  getAlarm(): Promise<number | null> {
    return this.#backend.call("getAlarm", async (client) => {
      const score = await client.zscore(`${PREFIX}alarms`, this.#member);
      return score === null ? null : Number(score);
    });
  }

  readVersion(): Promise<ReadVersion> {
    return this.#backend.call("transaction", async (client) => Number((await client.get(this.#keys.n)) ?? "0"));
  }

  commit(batch: WriteBatch): Promise<CommitResult> {
    const args: (string | Buffer)[] = [
      this.#keys.k,
      this.#keys.v,
      this.#keys.n,
      this.#keys.l,
      `${PREFIX}alarms`,
      `${PREFIX}objects:${this.#address.namespace}`,
      this.#member,
      this.#address.id,
      batch.deleteAll ? "1" : "0",
      String(batch.deletes?.length ?? 0),
      ...(batch.deletes ?? []),
      String(batch.puts?.length ?? 0),
      ...(batch.puts ?? []).flatMap(([key, value]) => [key, Buffer.from(value.buffer, value.byteOffset, value.byteLength)]),
      batch.alarm === undefined ? "keep" : batch.alarm === null ? "delete" : "set",
      String(batch.alarm ?? 0),
    ];
    const readSet = batch.readSet;
    if (readSet === undefined) {
      args.push("0");
    } else {
      args.push("1", String(readSet.since as number), String(readSet.keys.length), ...readSet.keys, String(readSet.ranges.length));
      for (const range of readSet.ranges) {
        args.push(range.start === undefined ? "0" : "1", range.start ?? "", range.end === undefined ? "0" : "1", range.end ?? "");
      }
    }
    return this.#backend.call("write", async (client) => {
      const [ok, deleted] = await (client as unknown as ScriptClient).duraboxCommit(...args);
      return ok === 1 ? { ok: true, deleted } : { ok: false };
    });
  }
}
