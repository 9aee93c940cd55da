import { nodeCrypto } from "../../base/node-crypto.js";
import type { Hash } from "node:crypto";
import { typeName } from "../../base/describe.js";
import type { ChecksumSpec } from "./arguments.js";
import { badDigest, r2Error, type R2Operation } from "./errors.js";
import type { R2Storage } from "./r2-storage.js";
import { isSized } from "../../base/stream-lengths.js";

/** The largest object a single put (or one part) may hold: 5 GiB less 5 MiB, as R2. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3 - 5 * 1024 ** 2;

/** A body written to a new blob, with what R2 records of it. */
export interface WrittenBody {
  readonly blob: string;
  readonly size: number;
  readonly md5: string;
  /** The requested checksum, verified. */
  readonly checksum?: { readonly option: ChecksumSpec["option"]; readonly hex: string };
}

const encoder = new TextEncoder();

/** workerd's refusal of a stream whose length it does not know (r2-bucket.c++). */
const UNKNOWN_LENGTH = "Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)";

/** The bytes of a value that is already whole; undefined for a stream. */
function wholeBytes(value: unknown): Uint8Array | Promise<Uint8Array> | undefined {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof Blob) return value.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  if (value instanceof ReadableStream) {
    if (!isSized(value)) throw new TypeError(UNKNOWN_LENGTH);
    return undefined;
  }
  // workerd converts anything else to a string.
  return encoder.encode(String(value));
}

async function* chunksOf(stream: ReadableStream<unknown>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value instanceof Uint8Array) yield value;
      else if (ArrayBuffer.isView(value)) yield new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      else if (value instanceof ArrayBuffer) yield new Uint8Array(value);
      else throw new TypeError(`This ReadableStream did not return bytes (a chunk was ${typeName(value)}).`);
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Writes a put's value to a new blob as it arrives (a stream is never held
 * whole), computing its MD5 (the etag) and the requested checksum; a
 * mismatch or an oversized body drops the blob and throws R2's error.
 */
export async function writeBody(
  storage: R2Storage,
  value: unknown,
  action: R2Operation,
  expected?: { readonly spec: ChecksumSpec; readonly hex: string },
): Promise<WrittenBody> {
  const whole = wholeBytes(value);
  const blob = storage.newBlobId();
  const writer = storage.blobs.create(blob);
  const md5 = nodeCrypto().createHash("md5");
  const hashes: Hash[] = [md5];
  const checksum = expected === undefined || expected.spec.option === "md5" ? undefined : nodeCrypto().createHash(expected.spec.option);
  if (checksum !== undefined) hashes.push(checksum);
  let size = 0;
  const take = async (chunk: Uint8Array): Promise<void> => {
    size += chunk.byteLength;
    if (size > MAX_PUT_BYTES) throw r2Error(action, 100100);
    for (const hash of hashes) hash.update(chunk);
    await writer.write(chunk);
  };
  try {
    if (whole === undefined) {
      for await (const chunk of chunksOf(value as ReadableStream<unknown>)) await take(chunk);
    } else {
      await take(await whole);
    }
    const md5Hex = md5.digest("hex");
    const actual = checksum === undefined ? md5Hex : checksum.digest("hex");
    if (expected !== undefined && actual !== expected.hex) throw badDigest(action, expected.spec.name, expected.hex, actual);
    await writer.finish();
    return { blob, size, md5: md5Hex, ...(expected !== undefined && { checksum: { option: expected.spec.option, hex: actual } }) };
  } catch (error) {
    await writer.abort();
    await storage.release([blob]);
    throw error;
  }
}
