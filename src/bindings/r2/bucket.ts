import { nodeCrypto } from "../../base/node-crypto.js";
import { andThen } from "../../base/awaitable.js";
import { compareKeys, prefixEnd } from "../../storage/keys.js";
import type { ObjectStore } from "../../storage/backend.js";
import { checksumOf, conditionsOf, customMetadataOf, httpMetadataOf, optionsObject, rangeOf } from "./arguments.js";
import { BodySource } from "./body.js";
import { conditionsHold } from "./conditions.js";
import { r2Error } from "./errors.js";
import { writeBody } from "./ingest.js";
import { checkCustomMetadata, checkKey, MAX_LIST_LIMIT } from "./limits.js";
import { R2MultipartUpload } from "./multipart.js";
import type { R2GetOptions, R2ListOptions, R2MultipartOptions, R2PutOptions, R2PutValue } from "./types.js";
import { R2Object, R2ObjectBody, type Included } from "./objects.js";
import type { R2Storage } from "./r2-storage.js";
import { resolveRange } from "./ranges.js";
import { blobsOf, decodeRecord, encodeRecord, newVersion, type StoredObject, type StoredUpload } from "./records.js";
import { outputGateWait } from "../../base/output-gate-wait.js";

export interface R2Objects {
  objects: R2Object[];
  truncated: boolean;
  cursor?: string;
  delimitedPrefixes: string[];
}

/** Records are listed in pages of this many. */
const PAGE = 256;

const encodeCursor = (start: string): string => Buffer.from(start, "utf8").toString("base64url");
const decodeCursor = (cursor: string): string => Buffer.from(cursor, "base64url").toString("utf8");

/** The later of two list starts. */
const later = (a: string, b: string | undefined): string => (b !== undefined && compareKeys(b, a) > 0 ? b : a);

/**
 * An R2 bucket binding (`env.BUCKET`): the Workers R2 API over one bucket's
 * records and bodies in the runtime's R2Storage.
 */
export class R2Bucket {
  readonly #storage: R2Storage;
  readonly #name: string;

  /** @internal */
  constructor(storage: R2Storage, name: string) {
    this.#storage = storage;
    this.#name = name;
  }

  /** @internal */
  get storage(): R2Storage {
    return this.#storage;
  }

  /** @internal */
  get objects(): ObjectStore {
    return this.#storage.objects(this.#name);
  }

  /** @internal */
  get uploads(): ObjectStore {
    return this.#storage.uploads(this.#name);
  }

  /** @internal The stored record of a key, or undefined. */
  async record(key: string): Promise<StoredObject | undefined> {
    const [value] = await this.objects.get([key]);
    return value === undefined ? undefined : decodeRecord<StoredObject>(value);
  }

  /** @internal Stores `record` under its key, releasing the bodies of what it replaces and `extraReleased`. */
  async store(record: StoredObject, extraReleased: readonly string[] = []): Promise<void> {
    const { previous } = await this.#swap(record);
    await this.#storage.release([...(previous === undefined ? [] : blobsOf(previous)), ...extraReleased]);
  }

  /**
   * Writes `record` over its key's, if `accept` takes the one there. Read and write are one step where the
   * backend answers synchronously (memory, files), so concurrent puts of a key each release exactly the
   * body they replaced.
   */
  #swap(record: StoredObject, accept?: (previous: StoredObject | undefined) => boolean): Promise<{ ok: boolean; previous?: StoredObject }> {
    const store = this.objects;
    return Promise.resolve(
      andThen(store.get([record.key]), ([value]) => {
        const previous = value === undefined ? undefined : decodeRecord<StoredObject>(value);
        if (accept !== undefined && !accept(previous)) return { ok: false, previous };
        return andThen(store.commit({ puts: [[record.key, encodeRecord(record)]] }), () => ({ ok: true, previous }));
      }),
    );
  }

  async head(key: string): Promise<R2Object | null> {
    key = String(key);
    checkKey("head", key);
    const record = await this.record(key);
    return record === undefined ? null : new R2Object(record);
  }

  async get(key: string, options?: R2GetOptions): Promise<R2ObjectBody | R2Object | null> {
    key = String(key);
    const settings = optionsObject(options, "R2GetOptions");
    const conditions = conditionsOf(settings.onlyIf);
    const range = rangeOf(settings.range);
    checkKey("get", key);
    const record = await this.record(key);
    if (record === undefined) return null;
    if (conditions !== undefined && !conditionsHold(conditions, record)) return new R2Object(record);
    const source = await BodySource.open(this.#storage.blobs, record.parts, resolveRange(range, record.size));
    // Its body went with a concurrent delete: as if the get came after it.
    if (source === undefined) return null;
    return new R2ObjectBody(record, source);
  }

  async put(key: string, value: R2PutValue, options?: R2PutOptions): Promise<R2Object | null> {
    key = String(key);
    const settings = optionsObject(options, "R2PutOptions");
    const conditions = conditionsOf(settings.onlyIf);
    const httpMetadata = httpMetadataOf(settings.httpMetadata);
    const customMetadata = customMetadataOf(settings.customMetadata);
    const checksum = checksumOf(settings);
    checkKey("put", key);
    checkCustomMetadata("put", customMetadata);
    // Inside a Durable Object, sent once the object's earlier writes are confirmed (its output gate).
    await outputGateWait("R2 put()");
    // Refused before the body is written, where the conditions fail already.
    if (conditions !== undefined && !conditionsHold(conditions, await this.record(key))) {
      await cancelStream(value);
      return null;
    }
    const body = await writeBody(this.#storage, value, "put", checksum);
    const record: StoredObject = {
      key,
      version: newVersion(),
      size: body.size,
      etag: body.md5,
      uploaded: Date.now(),
      httpMetadata,
      customMetadata,
      checksums: { md5: body.md5, ...(body.checksum !== undefined && { [body.checksum.option]: body.checksum.hex }) },
      parts: [{ blob: body.blob, size: body.size }],
    };
    // Checked again as the record is written: another put may have come first.
    const { ok, previous } = await this.#swap(record, conditions && ((found) => conditionsHold(conditions, found)));
    if (!ok) {
      await this.#storage.release([body.blob]);
      return null;
    }
    if (previous !== undefined) await this.#storage.release(blobsOf(previous));
    return new R2Object(record);
  }

  async delete(keys: string | readonly string[]): Promise<void> {
    const list = (Array.isArray(keys) ? keys : [keys]).map(String);
    for (const key of list) checkKey("delete", key);
    if (list.length === 0) return;
    await outputGateWait("R2 delete()");
    const store = this.objects;
    // Read and delete in one step where the backend answers synchronously (see #swap).
    const values = await andThen(store.get(list), (found) => andThen(store.commit({ deletes: list }), () => found));
    const blobs = values.flatMap((value) => (value === undefined ? [] : blobsOf(decodeRecord<StoredObject>(value))));
    await this.#storage.release(blobs);
  }

  async list(options?: R2ListOptions): Promise<R2Objects> {
    const settings = optionsObject(options, "R2ListOptions");
    const limit = settings.limit === undefined || settings.limit === null ? MAX_LIST_LIMIT : Number(settings.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw r2Error("list", 10022);
    const prefix = settings.prefix === undefined || settings.prefix === null ? "" : String(settings.prefix);
    const delimiter = settings.delimiter === undefined || settings.delimiter === null ? undefined : String(settings.delimiter);
    const included = includedOf(settings.include);
    let start = prefix;
    if (settings.startAfter !== undefined && settings.startAfter !== null) start = later(start, `${String(settings.startAfter)}\u0000`);
    if (settings.cursor !== undefined && settings.cursor !== null && settings.cursor !== "") {
      start = later(start, decodeCursor(String(settings.cursor)));
    }
    const end = prefix === "" ? undefined : prefixEnd(prefix);

    const objects: R2Object[] = [];
    const delimitedPrefixes: string[] = [];
    let next: string | undefined = start;
    // Walk records from `next`, one item (an object, or a delimited prefix standing for many) at a time.
    while (next !== undefined && objects.length + delimitedPrefixes.length < limit) {
      const page = await this.objects.list({ start: next, ...(end !== undefined && { end }), limit: PAGE });
      if (page.length === 0) {
        next = undefined;
        break;
      }
      let jumped = false;
      for (const [key, value] of page) {
        const cut = delimiter === undefined || delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
        if (cut >= 0) {
          const group = key.slice(0, cut + delimiter!.length);
          delimitedPrefixes.push(group);
          // Every other key of the group is covered by it: continue after them.
          next = prefixEnd(group);
          jumped = true;
          break;
        }
        objects.push(new R2Object(decodeRecord<StoredObject>(value), included));
        next = `${key}\u0000`;
        if (objects.length + delimitedPrefixes.length >= limit) break;
      }
      if (!jumped && page.length < PAGE && objects.length + delimitedPrefixes.length < limit) next = undefined;
    }
    const truncated =
      next !== undefined && (await this.objects.list({ start: next, ...(end !== undefined && { end }), limit: 1 })).length > 0;
    return {
      objects,
      truncated,
      ...(truncated && { cursor: encodeCursor(next!) }),
      delimitedPrefixes,
    };
  }

  async createMultipartUpload(key: string, options?: R2MultipartOptions): Promise<R2MultipartUpload> {
    key = String(key);
    const settings = optionsObject(options, "R2MultipartOptions");
    const httpMetadata = httpMetadataOf(settings.httpMetadata);
    const customMetadata = customMetadataOf(settings.customMetadata);
    checkKey("createMultipartUpload", key);
    checkCustomMetadata("createMultipartUpload", customMetadata);
    const uploadId = nodeCrypto().randomBytes(24).toString("base64url");
    const upload: StoredUpload = { key, httpMetadata, customMetadata };
    await this.uploads.commit({ puts: [[uploadId, encodeRecord(upload)]] });
    return new R2MultipartUpload(this, key, uploadId);
  }

  resumeMultipartUpload(key: string, uploadId: string): R2MultipartUpload {
    return new R2MultipartUpload(this, String(key), String(uploadId));
  }
}

function includedOf(value: unknown): Included {
  if (value === undefined || value === null) return { httpMetadata: false, customMetadata: false };
  if (!Array.isArray(value)) throw new TypeError('include must be an array of "httpMetadata" and "customMetadata".');
  const names = value.map(String);
  for (const name of names) {
    if (name !== "httpMetadata" && name !== "customMetadata") throw new RangeError(`Unsupported include value ${name}`);
  }
  return { httpMetadata: names.includes("httpMetadata"), customMetadata: names.includes("customMetadata") };
}

/** A stream not read (its put refused) is cancelled, as workerd does. */
async function cancelStream(value: unknown): Promise<void> {
  if (value instanceof ReadableStream && !value.locked) await value.cancel().catch(() => {});
}
