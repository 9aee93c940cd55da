import { nodeCrypto } from "../../base/node-crypto.js";
import { optionsObject } from "./arguments.js";
import type { ObjectStore } from "../../storage/backend.js";
import { r2Error } from "./errors.js";
import { writeBody } from "./ingest.js";
import { MIN_PART_BYTES } from "./limits.js";
import { R2Object } from "./objects.js";
import type { R2Storage } from "./r2-storage.js";
import type { R2PutValue } from "./types.js";
import {
  blobsOf,
  decodeRecord,
  encodeRecord,
  newVersion,
  partKey,
  partsEnd,
  partsStart,
  type StoredObject,
  type StoredUpload,
  type StoredUploadPart,
} from "./records.js";

/** @internal What an upload needs of its bucket (bucket.ts makes uploads, so this file does not import it). */
export interface UploadHost {
  readonly storage: R2Storage;
  readonly uploads: ObjectStore;
  /** Stores an object's record, releasing the bodies of what it replaces and `extraReleased`. */
  store(record: StoredObject, extraReleased: readonly string[]): Promise<void>;
}

export interface R2UploadedPart {
  partNumber: number;
  etag: string;
}

/**
 * A multipart upload: parts are stored as blobs as they arrive; completing
 * makes the object of the parts named, without copying them (the object's
 * body is its parts in order).
 */
export class R2MultipartUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly #bucket: UploadHost;

  /** @internal */
  constructor(bucket: UploadHost, key: string, uploadId: string) {
    this.#bucket = bucket;
    this.key = key;
    this.uploadId = uploadId;
  }

  async #upload(action: "uploadPart" | "completeMultipartUpload" | "abortMultipartUpload"): Promise<StoredUpload> {
    const [value] = await this.#bucket.uploads.get([this.uploadId]);
    const upload = value === undefined ? undefined : decodeRecord<StoredUpload>(value);
    if (upload === undefined || upload.key !== this.key) throw r2Error(action, 10024);
    return upload;
  }

  /** The parts uploaded so far, by part number. */
  async #parts(): Promise<Map<number, StoredUploadPart>> {
    const entries = await this.#bucket.uploads.list({ start: partsStart(this.uploadId), end: partsEnd(this.uploadId) });
    const parts = new Map<number, StoredUploadPart>();
    for (const [, value] of entries) {
      const part = decodeRecord<StoredUploadPart>(value);
      parts.set(part.partNumber, part);
    }
    return parts;
  }

  async uploadPart(partNumber: number, value: R2PutValue, options?: object): Promise<R2UploadedPart> {
    optionsObject(options, "R2UploadPartOptions");
    const number = Number(partNumber);
    if (!(Number.isInteger(number) && number >= 1 && number <= 10000)) {
      throw new TypeError(`Part number must be between 1 and 10000 (inclusive). Actual value was: ${partNumber}`);
    }
    await this.#upload("uploadPart");
    const body = await writeBody(this.#bucket.storage, value, "uploadPart");
    const key = partKey(this.uploadId, number);
    const part: StoredUploadPart = { partNumber: number, blob: body.blob, size: body.size, etag: body.md5 };
    // Checked again now the body is in: the upload may have been completed or aborted meanwhile.
    let replaced: Uint8Array | undefined;
    try {
      await this.#upload("uploadPart");
      [replaced] = await this.#bucket.uploads.get([key]);
    } catch (error) {
      await this.#bucket.storage.release([body.blob]);
      throw error;
    }
    await this.#bucket.uploads.commit({ puts: [[key, encodeRecord(part)]] });
    if (replaced !== undefined) await this.#bucket.storage.release(blobsOf(decodeRecord(replaced)));
    return { partNumber: number, etag: part.etag };
  }

  async complete(uploadedParts: readonly R2UploadedPart[]): Promise<R2Object> {
    if (!Array.isArray(uploadedParts)) throw new TypeError("complete() expects an array of the parts uploadPart() returned.");
    const upload = await this.#upload("completeMultipartUpload");
    const uploaded = await this.#parts();
    const named = [...uploadedParts].sort((a, b) => Number(a.partNumber) - Number(b.partNumber));
    const parts = named.map(({ partNumber, etag }) => {
      const part = uploaded.get(Number(partNumber));
      if (part === undefined || part.etag !== etag) throw r2Error("completeMultipartUpload", 10025);
      return part;
    });
    if (new Set(named.map((p) => Number(p.partNumber))).size !== named.length) throw r2Error("completeMultipartUpload", 10048);
    const leading = parts.slice(0, -1);
    if (leading.some((part) => part.size < MIN_PART_BYTES)) throw r2Error("completeMultipartUpload", 10011);
    if (leading.some((part) => part.size !== leading[0]!.size)) throw r2Error("completeMultipartUpload", 10048);
    if (parts.length > 0 && parts.at(-1)!.size > (leading[0]?.size ?? Infinity)) throw r2Error("completeMultipartUpload", 10048);

    // The multipart etag (as S3's): the MD5 of the parts' MD5s, then "-" and how many parts.
    const digests = nodeCrypto().createHash("md5");
    for (const part of parts) digests.update(Buffer.from(part.etag, "hex"));
    const record: StoredObject = {
      key: this.key,
      version: newVersion(),
      size: parts.reduce((sum, part) => sum + part.size, 0),
      etag: `${digests.digest("hex")}-${parts.length}`,
      uploaded: Date.now(),
      httpMetadata: upload.httpMetadata,
      customMetadata: upload.customMetadata,
      checksums: {},
      parts: parts.map(({ blob, size }) => ({ blob, size })),
    };
    const used = new Set(record.parts.map((part) => part.blob));
    const partKeys = [...uploaded.keys()].map((number) => partKey(this.uploadId, number));
    await this.#bucket.uploads.commit({ deletes: [this.uploadId, ...partKeys] });
    const unused = [...uploaded.values()].map((part) => part.blob).filter((blob) => !used.has(blob));
    await this.#bucket.store(record, unused);
    return new R2Object(record);
  }

  async abort(): Promise<void> {
    await this.#upload("abortMultipartUpload");
    const parts = await this.#parts();
    const partKeys = [...parts.keys()].map((number) => partKey(this.uploadId, number));
    await this.#bucket.uploads.commit({ deletes: [this.uploadId, ...partKeys] });
    await this.#bucket.storage.release([...parts.values()].map((part) => part.blob));
  }
}
