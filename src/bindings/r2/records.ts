import { nodeCrypto } from "../../base/node-crypto.js";

// What R2 keeps per object and per multipart upload, as stored (JSON) in the
// metadata backend. Bodies are blobs (blob-store.ts) named here by id.

/** An object's HTTP metadata as stored: `cacheExpiry` in ms since the epoch. */
export interface StoredHttpMetadata {
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  cacheExpiry?: number;
}

/** One stretch of a body: a blob and its length. A body is its parts in order. */
export interface StoredPart {
  readonly blob: string;
  readonly size: number;
}

export interface StoredObject {
  readonly key: string;
  readonly version: string;
  readonly size: number;
  readonly etag: string;
  /** ms since the epoch */
  readonly uploaded: number;
  readonly httpMetadata: StoredHttpMetadata;
  readonly customMetadata: Record<string, string>;
  /** hex digests by algorithm (md5, sha1, sha256, sha384, sha512) */
  readonly checksums: Record<string, string>;
  readonly parts: readonly StoredPart[];
}

/**
 * A multipart upload, under its id; each part is a record of its own (under
 * `partKey`), so parts uploaded concurrently never overwrite each other.
 */
export interface StoredUpload {
  readonly key: string;
  readonly httpMetadata: StoredHttpMetadata;
  readonly customMetadata: Record<string, string>;
}

export interface StoredUploadPart extends StoredPart {
  readonly partNumber: number;
  readonly etag: string;
}

/** Where an upload's part is stored: after the upload's own key, in part-number order (ids never hold ":"). */
export const partKey = (uploadId: string, partNumber: number): string => `${uploadId}:${String(partNumber).padStart(5, "0")}`;
export const partsStart = (uploadId: string): string => `${uploadId}:`;
export const partsEnd = (uploadId: string): string => `${uploadId};`;

export type StoredRecord = StoredObject | StoredUpload | StoredUploadPart;

/** A fresh version id (R2's are 32 hex digits). */
export const newVersion = (): string => nodeCrypto().randomBytes(16).toString("hex");

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeRecord(record: StoredRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function decodeRecord<T extends StoredRecord>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** The blobs a record holds: an object's parts', a part's own, none for an upload. */
export function blobsOf(record: StoredRecord): string[] {
  if ("parts" in record) return record.parts.map((part) => part.blob);
  if ("blob" in record) return [record.blob];
  return [];
}
