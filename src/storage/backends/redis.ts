import { nodeCrypto } from "../../base/node-crypto.js";
import { hostname } from "node:os";
import { addressFromKey, addressKey, type ObjectAddress } from "../address.js";
import { DuraboxError, disposedStorageError } from "../../base/errors.js";
import { nodeRequire } from "../../base/node-require.js";
import { CLAIM_ALARM, COMMIT, EXTEND_CLAIM, LIST } from "./redis-scripts.js";
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import type {
  AlarmClaim,
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
 * How long an alarm claim lasts unless renewed. The runtime running an alarm
 * renews it every third of this, so only a runtime that died (or blocked its
 * event loop this long) loses it; another runtime then runs the alarm.
 */
export const ALARM_CLAIM_MS = 5000;

// Captured at load, before a test can install fake timers over them.
const setRepeating = setInterval;
const clearRepeating = clearInterval;

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
  /** This runtime, as alarm claims name it. */
  readonly owner = `${hostname()}:${process.pid}:${nodeCrypto().randomUUID().slice(0, 8)}`;
  readonly alarmClaimMs: number;
  readonly #client: RedisClient;
  /** Claims this runtime holds, by claim key: their renewal timers. */
  readonly #claims = new Map<string, ReturnType<typeof setInterval>>();
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(url: string, options: { alarmClaimMs?: number } = {}) {
    this.url = url;
    this.alarmClaimMs = options.alarmClaimMs ?? ALARM_CLAIM_MS;
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
    this.#client.defineCommand("duraboxClaimAlarm", { numberOfKeys: 2, lua: CLAIM_ALARM });
    this.#client.defineCommand("duraboxExtendClaim", { numberOfKeys: 1, lua: EXTEND_CLAIM });
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

  /** @internal Claims the alarm of the object whose claim key is `claimKey`; see ObjectStore.claimAlarm. */
  async claimAlarm(claimKey: string, member: string, time: number): Promise<AlarmClaim> {
    const [claimed, ms] = await this.call("claiming an alarm", (client) =>
      (client as unknown as ScriptClient).duraboxClaimAlarm(
        `${PREFIX}alarms`,
        claimKey,
        member,
        String(time),
        this.owner,
        String(this.alarmClaimMs),
      ),
    );
    if (claimed !== 1)
      return ms === -2 ? { claimed: false } : { claimed: false, heldUntil: Date.now() + (ms >= 0 ? ms : this.alarmClaimMs) };
    this.#stopRenewing(claimKey);
    const renewal = setRepeating(() => void this.#extend(claimKey, this.alarmClaimMs), this.alarmClaimMs / 3);
    renewal.unref?.();
    this.#claims.set(claimKey, renewal);
    let released = false;
    return {
      claimed: true,
      release: (holdMs = 0) => {
        if (released) return;
        released = true;
        this.#stopRenewing(claimKey);
        void this.#extend(claimKey, holdMs > 0 ? holdMs + this.alarmClaimMs : 0);
      },
    };
  }

  /** Sets the claim's expiry (0: ends it) if this runtime still holds it; failures only let it lapse. */
  async #extend(claimKey: string, ms: number): Promise<void> {
    if (this.#closed) return;
    await this.call("renewing an alarm claim", (client) =>
      (client as unknown as ScriptClient).duraboxExtendClaim(claimKey, this.owner, String(Math.ceil(ms))),
    ).catch(() => {});
  }

  #stopRenewing(claimKey: string): void {
    const renewal = this.#claims.get(claimKey);
    if (renewal !== undefined) clearRepeating(renewal);
    this.#claims.delete(claimKey);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Claims still held (an alarm running or awaiting a retry) end now, not when they lapse.
    const held = [...this.#claims.keys()];
    for (const claimKey of held) this.#stopRenewing(claimKey);
    if (this.#client.status === "ready") {
      const client = this.#client as unknown as ScriptClient;
      await Promise.all(held.map((claimKey) => client.duraboxExtendClaim(claimKey, this.owner, "0").catch(() => 0)));
    }
    if (this.#client.status === "ready") await this.#client.quit().catch(() => this.#client.disconnect());
    else this.#client.disconnect();
  }
}

interface ScriptClient {
  duraboxCommit(...args: (string | Buffer)[]): Promise<[number, number]>;
  duraboxListBuffer(...args: string[]): Promise<(Buffer | null)[]>;
  duraboxClaimAlarm(...args: string[]): Promise<[number, number]>;
  duraboxExtendClaim(...args: string[]): Promise<number>;
}

class RedisObjectStore implements ObjectStore {
  readonly #backend: RedisBackend;
  readonly #keys: { k: string; v: string; n: string; l: string; c: string };
  readonly #member: string;
  readonly #address: ObjectAddress;

  constructor(backend: RedisBackend, address: ObjectAddress) {
    this.#backend = backend;
    this.#address = address;
    // The hash tag keeps an object's keys on one node of a cluster.
    const base = `${PREFIX}{${addressKey(address)}}:`;
    this.#keys = { k: `${base}k`, v: `${base}v`, n: `${base}n`, l: `${base}l`, c: `${base}c` };
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

  claimAlarm(time: number): Promise<AlarmClaim> {
    return this.#backend.claimAlarm(this.#keys.c, this.#member, time);
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
