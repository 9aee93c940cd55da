import type { ObjectStore } from "../../storage/backend.js";
import { compareKeys, keyLongerThan, prefixEnd, wellFormedKey } from "../../storage/keys.js";
import { asBuffer, decodeEntry, encodeEntry, entryMetadata, expired, expiresBy, valueStart, type KvEntry } from "./entry.js";
import { checkBulkKey, checkKey, kvError, MAX_BULK_KEYS, MAX_KEY_BYTES, MAX_LIST_KEYS, byteLength } from "./limits.js";
import { parseCacheTtl, parseExpiration, parseMetadata } from "./options.js";
import { putValue } from "./put-value.js";
import { andThen, type Awaitable } from "../../base/awaitable.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { outputGateWait } from "../../base/output-gate-wait.js";

export type KVValueType = "text" | "json" | "arrayBuffer" | "stream";
type KVValue = string | unknown | ArrayBuffer | ReadableStream<Uint8Array> | null;

export interface KVGetOptions {
  readonly type?: KVValueType;
  /** Seconds a read may be cached at the edge: checked (at least 30), otherwise without effect locally. */
  readonly cacheTtl?: number;
}

export interface KVPutOptions {
  /** When the key expires, in seconds since the epoch. */
  readonly expiration?: number | string;
  /** Seconds from now until the key expires (at least 60); wins over `expiration`. */
  readonly expirationTtl?: number | string;
  /** Any JSON-serialisable value, at most 1024 bytes as JSON. */
  readonly metadata?: unknown;
}

export interface KVListOptions {
  readonly prefix?: string | null;
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface KVListKey<Metadata = unknown> {
  name: string;
  /** Seconds since the epoch. */
  expiration?: number;
  metadata?: Metadata;
}

/** Mutable fields, as workers-types declares them, so code typed for Workers accepts the result. */
export type KVListResult<Metadata = unknown> =
  | { keys: KVListKey<Metadata>[]; list_complete: false; cursor: string; cacheStatus: string | null }
  | { keys: KVListKey<Metadata>[]; list_complete: true; cacheStatus: string | null };

export interface KVGetWithMetadataResult {
  readonly value: KVValue;
  readonly metadata: unknown;
  readonly cacheStatus: null;
}

const TYPES: readonly string[] = ["text", "json", "arrayBuffer", "stream"];

/**
 * A Workers KV namespace binding (`env.NAMESPACE`): production's API, limits
 * and messages over one store of the bindings' data. Expiry is judged by the
 * runtime's clock, `Date.now()` read at each call (never a copy taken
 * earlier), so fake timers that move the clock expire keys.
 */
export class KVNamespace {
  readonly #store: ObjectStore;

  /** @internal Bindings are made by the runtime, one per configured namespace. */
  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** One key's value (null when missing), or up to 100 keys' as a Map (text or json only). */
  get(key: readonly string[], options?: KVValueType | KVGetOptions | null): Promise<Map<string, KVValue>>;
  get(key: string, options?: KVValueType | KVGetOptions | null): Promise<KVValue>;
  get(key: string | readonly string[], options?: KVValueType | KVGetOptions | null): Promise<KVValue | Map<string, KVValue>> {
    if (Array.isArray(key)) {
      return this.#bulk(key, options).then(
        (results) => new Map([...results].map(([name, entry]) => [name, entry === undefined ? null : entry.value])),
      );
    }
    // No async function: a read of the memory backend answers at once, and an await per get is most of its cost.
    try {
      // The common call, get(key) as text: no options to read, no record of what was asked.
      if (options === undefined || options === null) {
        const values = this.#store.get([singleKey("GET", key)]);
        return values instanceof Promise ? values.then(firstAsText) : Promise.resolve(firstAsText(values));
      }
      const found = this.#getStored(typeof key === "string" ? key : String(key), options);
      if (found instanceof Promise) return found.then((stored) => (stored === undefined ? null : readValue(stored.bytes, stored.type)));
      return Promise.resolve(found === undefined ? null : readValue(found.bytes, found.type));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** get() with the key's metadata: `{ value, metadata, cacheStatus }`, or for many keys a Map of `{ value, metadata }` (null when missing). */
  getWithMetadata(
    key: readonly string[],
    options?: KVValueType | KVGetOptions | null,
  ): Promise<Map<string, { value: KVValue; metadata: unknown } | null>>;
  getWithMetadata(key: string, options?: KVValueType | KVGetOptions | null): Promise<KVGetWithMetadataResult>;
  async getWithMetadata(
    key: string | readonly string[],
    options?: KVValueType | KVGetOptions | null,
  ): Promise<KVGetWithMetadataResult | Map<string, { value: KVValue; metadata: unknown } | null>> {
    if (Array.isArray(key)) {
      const results = await this.#bulk(key, options);
      return new Map([...results].map(([name, entry]) => [name, entry === undefined ? null : entry]));
    }
    const { value, metadata } = await this.#getOne(String(key), options);
    return { value, metadata, cacheStatus: null };
  }

  put(key: string, value: unknown, options?: KVPutOptions | null): Promise<void> {
    // No async function and no closures on the common path: a put to the memory backend is done
    // synchronously, and a promise plus an await per put would be most of its cost.
    try {
      const name = singleKey("PUT", key);
      const body = putValue(value);
      // Read the clock now, at the call: fake timers move it.
      const expiration = options == null ? undefined : parseExpiration(options.expiration, options.expirationTtl, Date.now());
      const metadata = options == null ? undefined : parseMetadata(options.metadata);
      // Inside a Durable Object, sent once the object's earlier writes are confirmed (its output gate).
      const gate = outputGateWait("KV put()");
      if (gate !== undefined) return gate.then(async () => this.#write(name, await body, expiration, metadata));
      if (body instanceof Promise) return body.then((bytes) => this.#write(name, bytes, expiration, metadata));
      return this.#write(name, body, expiration, metadata);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #write(name: string, value: string | Uint8Array, expiration: number | undefined, metadata: string | undefined): Promise<void> {
    const committed = this.#store.commit({ puts: [[name, encodeEntry(value, expiration, metadata)]] });
    return committed instanceof Promise ? committed.then(() => undefined) : DONE;
  }

  async delete(key: string): Promise<void> {
    const name = singleKey("DELETE", key);
    await outputGateWait("KV delete()");
    await this.#store.commit({ deletes: [name] });
  }

  async list<Metadata = unknown>(options?: KVListOptions | null): Promise<KVListResult<Metadata>> {
    const prefix = options?.prefix === undefined || options.prefix === null ? "" : wellFormedKey(String(options.prefix));
    if (keyLongerThan(prefix, MAX_KEY_BYTES)) {
      throw kvError("GET", 414, `UTF-8 encoded length of ${byteLength(prefix)} exceeds key length limit of ${MAX_KEY_BYTES}.`);
    }
    const limit = listLimit(options?.limit);
    const after =
      options?.cursor === undefined || options.cursor === null || options.cursor === "" ? undefined : decodeCursor(String(options.cursor));
    const end = prefixEnd(prefix);
    const now = Date.now();
    const keys: KVListKey<Metadata>[] = [];
    let start = after === undefined || compareKeys(after, prefix) < 0 ? prefix : `${after}\u0000`;
    let more = false;
    // Expired entries are skipped: ask again until the page is full or the range is done.
    for (;;) {
      const want = limit + 1 - keys.length;
      const page = await this.#store.list({ start, ...(end !== undefined && { end }), limit: want });
      for (const [name, bytes] of page) {
        if (expired(bytes, now)) continue;
        if (keys.length === limit) {
          more = true;
          break;
        }
        keys.push(listKey<Metadata>(name, decodeEntry(bytes)));
      }
      if (more || page.length < want) break;
      start = `${page[page.length - 1]![0]}\u0000`;
    }
    if (!more) return { keys, list_complete: true, cacheStatus: null };
    return { keys, list_complete: false, cursor: encodeCursor(keys[keys.length - 1]!.name), cacheStatus: null };
  }

  #getOne(key: string, options: KVValueType | KVGetOptions | null | undefined): Awaitable<{ value: KVValue; metadata: unknown }> {
    return andThen(this.#getStored(key, options), (found) => {
      if (found === undefined) return { value: null, metadata: null };
      const metadata = entryMetadata(found.bytes);
      return { value: readValue(found.bytes, found.type), metadata: metadata === undefined ? null : JSON.parse(metadata) };
    });
  }

  /** A single key's stored entry (undefined when missing or expired) and the type asked for, options checked. */
  #getStored(
    key: string,
    options: KVValueType | KVGetOptions | null | undefined,
  ): Awaitable<{ bytes: Buffer; type: KVValueType } | undefined> {
    const name = singleKey("GET", key);
    const type = valueType(options);
    if (!TYPES.includes(type)) {
      throw new TypeError('Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".');
    }
    if (typeof options === "object" && options !== null) parseCacheTtl("GET", options.cacheTtl);
    return andThen(this.#store.get([name]), (values) => {
      const bytes = liveEntry(values[0]);
      return bytes === undefined ? undefined : { bytes, type: type as KVValueType };
    });
  }

  async #bulk(
    keys: readonly unknown[],
    options: KVValueType | KVGetOptions | null | undefined,
  ): Promise<Map<string, { value: KVValue; metadata: unknown } | undefined>> {
    const names = keys.map((key) => wellFormedKey(String(key)));
    if (names.length === 0) throw kvError("GET_BULK", 400, "You must request a minimum of 1 key");
    if (names.length > MAX_BULK_KEYS) throw kvError("GET_BULK", 400, `You can request a maximum of ${MAX_BULK_KEYS} keys`);
    for (const name of names) checkBulkKey(name);
    const type = valueType(options);
    if (type !== "text" && type !== "json") throw kvError("GET_BULK", 400, `"${type}" is not a valid type. Use "json" or "text"`);
    parseCacheTtl("GET_BULK", typeof options === "object" ? options?.cacheTtl : undefined);
    const unique = [...new Set(names)];
    const stored = await this.#store.get(unique);
    const now = Date.now();
    const results = new Map<string, { value: KVValue; metadata: unknown } | undefined>();
    unique.forEach((name, i) => {
      const bytes = stored[i];
      if (bytes === undefined || expired(bytes, now)) {
        results.set(name, undefined);
        return;
      }
      const entry = decodeEntry(bytes);
      let value: KVValue;
      try {
        value = convert(entry.value, type);
      } catch {
        throw kvError("GET_BULK", 400, "At least one of the requested keys corresponds to a non-json value");
      }
      results.set(name, { value, metadata: entry.metadata === undefined ? null : JSON.parse(entry.metadata) });
    });
    return results;
  }
}

/** A single-key method's key: the runtime's checks, and the service's refusal of a key that is not well-formed UTF-16. */
function singleKey(method: string, key: unknown): string {
  const name = typeof key === "string" ? key : String(key);
  checkKey(method, name);
  if (!(name as WellFormed).isWellFormed()) throw kvError(method, 400, "Could not URL-decode key name");
  return name;
}

type WellFormed = string & { isWellFormed(): boolean };

/** A put's result once stored: one settled promise serves every put. */
const DONE: Promise<void> = Promise.resolve();

function valueType(options: KVValueType | KVGetOptions | null | undefined): string {
  if (options === undefined || options === null) return "text";
  if (typeof options === "string") return options;
  return options.type === undefined ? "text" : String(options.type);
}

function listLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return MAX_LIST_KEYS;
  const whole = Math.trunc(Number(limit));
  // The runtime sends only a positive limit: anything else lists the default.
  if (!(whole > 0)) return MAX_LIST_KEYS;
  if (whole > MAX_LIST_KEYS) {
    throw kvError("GET", 400, `Invalid key_count_limit of ${whole}. Please specify an integer less than ${MAX_LIST_KEYS}.`);
  }
  return whole;
}

/** A stored entry unless missing or expired, judged by the clock at this call (read only for an entry that expires). */
function liveEntry(stored: Uint8Array | undefined): Buffer | undefined {
  if (stored === undefined) return undefined;
  const bytes = asBuffer(stored);
  return expiresBy(bytes, Date.now) ? undefined : bytes;
}

/** The text of the first entry read, or null when it is missing or expired. */
function firstAsText(values: readonly (Uint8Array | undefined)[]): string | null {
  const bytes = liveEntry(values[0]);
  return bytes === undefined ? null : bytes.toString("utf8", valueStart(bytes));
}

/** The value of a stored entry, as `type`. */
function readValue(stored: Buffer, type: KVValueType): KVValue {
  const start = valueStart(stored);
  switch (type) {
    case "text":
      return stored.toString("utf8", start);
    case "json":
      return JSON.parse(stored.toString("utf8", start)) as unknown;
    default:
      return convert(stored.subarray(start), type);
  }
}

function convert(bytes: Buffer, type: KVValueType): KVValue {
  switch (type) {
    case "text":
      return bytes.toString("utf8");
    case "json":
      return JSON.parse(bytes.toString("utf8")) as unknown;
    case "arrayBuffer": {
      // A copy of its own: a Buffer's .buffer may be a shared pool.
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return copy.buffer;
    }
    case "stream":
      return new Blob([bytes]).stream();
  }
}

/** A listed key; its metadata is what the caller says it stored (`list<Metadata>()`), as in workers-types. */
function listKey<Metadata>(name: string, entry: KvEntry): KVListKey<Metadata> {
  return {
    name,
    ...(entry.expiration !== undefined && { expiration: Math.round(entry.expiration / 1000) }),
    ...(entry.metadata !== undefined && { metadata: JSON.parse(entry.metadata) as Metadata }),
  };
}
