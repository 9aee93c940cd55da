import { crc32 } from "node:zlib";
import { deserialize, serialize } from "../codec.js";
import type { StoredEntry } from "../backend.js";

/**
 * One record of an object's log, one atomic batch:
 *
 *   magic "DBX1" | payload length (u32 LE) | CRC-32 of payload (u32 LE) | payload
 *
 * where the payload is V8-serialised { c: deleteAll, d: deleted keys,
 * p: [key, value bytes][], a: alarm (number, null, or absent) }.
 */
export interface LogRecord {
  readonly deleteAll?: boolean;
  readonly deletes?: readonly string[];
  readonly puts?: readonly StoredEntry[];
  readonly alarm?: number | null;
}

const MAGIC = 0x31584244; // "DBX1" read as little-endian u32
export const MAGIC_BYTES = Buffer.from("DBX1", "latin1");
export const HEADER = 12;

export function encodeRecord(record: LogRecord): Buffer {
  const payload = serialize({
    c: record.deleteAll === true,
    d: record.deletes ?? [],
    p: record.puts ?? [],
    ...(record.alarm !== undefined && { a: record.alarm }),
  });
  const out = Buffer.allocUnsafe(HEADER + payload.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(payload.byteLength, 4);
  out.writeUInt32LE(crc32(payload), 8);
  out.set(payload, HEADER);
  return out;
}

/** Why no whole record starts at an offset. */
export type RecordProblem =
  "incomplete header" | "no record marker" | "length runs past the end of the file" | "checksum mismatch" | "unreadable payload";

export type RecordAt =
  { readonly ok: true; readonly record: LogRecord; readonly end: number } | { readonly ok: false; readonly problem: RecordProblem };

/** The whole record starting at `at`, or what is wrong there. */
export function readRecordAt(view: Buffer, at: number): RecordAt {
  if (at + HEADER > view.length) return { ok: false, problem: "incomplete header" };
  if (view.readUInt32LE(at) !== MAGIC) return { ok: false, problem: "no record marker" };
  const end = at + HEADER + view.readUInt32LE(at + 4);
  if (end > view.length) return { ok: false, problem: "length runs past the end of the file" };
  const payload = view.subarray(at + HEADER, end);
  if (crc32(payload) !== view.readUInt32LE(at + 8)) return { ok: false, problem: "checksum mismatch" };
  let raw: unknown;
  try {
    raw = deserialize(payload);
  } catch {
    return { ok: false, problem: "unreadable payload" };
  }
  const fields = raw as { c?: unknown; d?: unknown; p?: unknown; a?: unknown } | null;
  if (fields === null || typeof fields !== "object" || !Array.isArray(fields.d) || !Array.isArray(fields.p)) {
    return { ok: false, problem: "unreadable payload" };
  }
  const record: LogRecord = {
    deleteAll: fields.c === true,
    deletes: fields.d as string[],
    puts: fields.p as [string, Uint8Array][],
    ...("a" in fields && { alarm: fields.a as number | null }),
  };
  return { ok: true, record, end };
}
