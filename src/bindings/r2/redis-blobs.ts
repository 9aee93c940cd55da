import type { RedisBackend } from "../../storage/backends/redis.js";
import type { BlobReader, BlobStore, BlobWriter } from "./blob-store.js";

/** Bodies are stored in segments of this size: a read fetches only the segments it covers. */
export const SEGMENT_BYTES = 512 * 1024;
const PREFIX = "durabox:r2:blob:";
const TEMP_PREFIX = "durabox:r2:blob-writing:";
/** A body whose writer died (its process was killed) is dropped by Redis after a day. */
const TEMP_TTL_SECONDS = 24 * 60 * 60;

/**
 * Bodies in Redis, on the metadata backend's connection: each blob a list of
 * segments, pushed to a temporary key as the body arrives (one segment held
 * at a time) and renamed into place when complete, so no reader ever sees a
 * part of a body.
 */
export class RedisBlobStore implements BlobStore {
  readonly #redis: RedisBackend;

  constructor(redis: RedisBackend) {
    this.#redis = redis;
  }

  create(id: string): BlobWriter {
    const temp = `${TEMP_PREFIX}${id}`;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let pushed = 0;
    const push = async (segment: Uint8Array): Promise<void> => {
      await this.#redis.call("writing an R2 body", (client) =>
        client
          .multi()
          .rpush(temp, Buffer.from(segment.buffer, segment.byteOffset, segment.byteLength))
          .expire(temp, TEMP_TTL_SECONDS)
          .exec(),
      );
      pushed++;
    };
    const flushFull = async (): Promise<void> => {
      while (pendingBytes >= SEGMENT_BYTES) {
        const all = Buffer.concat(pending);
        await push(all.subarray(0, SEGMENT_BYTES));
        const rest = all.subarray(SEGMENT_BYTES);
        pending = rest.byteLength > 0 ? [rest] : [];
        pendingBytes = rest.byteLength;
      }
    };
    return {
      write: async (chunk) => {
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        await flushFull();
      },
      finish: async () => {
        if (pendingBytes > 0) await push(Buffer.concat(pending));
        pending = [];
        // An empty body has no segments and no key: reading it needs none.
        if (pushed > 0) {
          await this.#redis.call("writing an R2 body", (client) => client.multi().persist(temp).rename(temp, `${PREFIX}${id}`).exec());
        }
      },
      abort: async () => {
        pending = [];
        await this.#redis.call("dropping an R2 body", (client) => client.del(temp));
      },
    };
  }

  open(id: string): BlobReader {
    const key = `${PREFIX}${id}`;
    return {
      read: async (position, length) => {
        if (length <= 0) return new Uint8Array(0);
        const first = Math.floor(position / SEGMENT_BYTES);
        const last = Math.floor((position + length - 1) / SEGMENT_BYTES);
        const segments = await this.#redis.call("reading an R2 body", (client) => client.lrangeBuffer(key, first, last));
        const joined = segments.length === 1 ? segments[0]! : Buffer.concat(segments);
        const start = position - first * SEGMENT_BYTES;
        return joined.subarray(start, start + length);
      },
      close() {},
    };
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#redis.call("deleting R2 bodies", (client) => client.del(...ids.map((id) => `${PREFIX}${id}`)));
  }

  close(): void {}
}
