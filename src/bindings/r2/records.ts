import { randomBytes } from "node:crypto";

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

export interface StoredUploadPart extends StoredPart {
  readonly etag: string;
}

export interface StoredUpload {
  readonly key: string;
  readonly httpMetadata: StoredHttpMetadata;
  readonly customMetadata: Record<string, string>;
  /** by part number */
  readonly parts: Record<string, StoredUploadPart>;
}

/** A fresh version id (R2's are 32 hex digits). */
export const newVersion = (): string => randomBytes(16).toString("hex");

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeRecord(record: StoredObject | StoredUpload): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

export function decodeRecord<T extends StoredObject | StoredUpload>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** The blobs a record holds. */
export function blobsOf(record: StoredObject | StoredUpload): string[] {
  return (Array.isArray(record.parts) ? record.parts : Object.values(record.parts)).map((part: StoredPart) => part.blob);
}
