import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, ftruncateSync, existsSync, unlinkSync } from "node:fs";
import { crc32 } from "node:zlib";
import { deserialize, serialize } from "../codec.js";
import type { StoredEntry } from "../backend.js";

/**
 * One object's append-only log. Each record is one atomic batch:
 *
 *   magic "DBX1" | payload length (u32 LE) | CRC-32 of payload (u32 LE) | payload
 *
 * where the payload is V8-serialised { c: deleteAll, d: deleted keys,
 * p: [key, value bytes][], a: alarm (number, null, or absent) }. A record is
 * written with one write(2); a process killed mid-write leaves a torn tail
 * whose length or checksum does not match, which replay drops (and
 * truncates), so a batch is either wholly in the log or not at all.
 */
export interface LogRecord {
  readonly deleteAll?: boolean;
  readonly deletes?: readonly string[];
  readonly puts?: readonly StoredEntry[];
  readonly alarm?: number | null;
}

const MAGIC = 0x31584244; // "DBX1" read as little-endian u32
const HEADER = 12;

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

/** The whole records of a log, and where the last one ends (anything after is torn). */
export function decodeRecords(bytes: Uint8Array): { records: LogRecord[]; validLength: number } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: LogRecord[] = [];
  let at = 0;
  while (at + HEADER <= view.length) {
    if (view.readUInt32LE(at) !== MAGIC) break;
    const length = view.readUInt32LE(at + 4);
    const end = at + HEADER + length;
    if (end > view.length) break;
    const payload = view.subarray(at + HEADER, end);
    if (crc32(payload) !== view.readUInt32LE(at + 8)) break;
    const raw = deserialize(payload) as { c: boolean; d: string[]; p: [string, Uint8Array][]; a?: number | null };
    records.push({ deleteAll: raw.c, deletes: raw.d, puts: raw.p, ...("a" in raw && { alarm: raw.a }) });
    at = end;
  }
  return { records, validLength: at };
}

/** An open log file: replayed once, then appended to. */
export class LogFile {
  #fd: number;
  #size: number;

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
  ) {
    this.#fd = fd;
    this.#size = size;
  }

  /** Opens (creating) the log, returns it with its records; a torn tail is cut off. */
  static open(path: string): { log: LogFile; records: LogRecord[] } {
    // A compaction that died before its rename leaves a temporary file: the log is still whole.
    if (existsSync(`${path}.compact`)) unlinkSync(`${path}.compact`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      bytes = new Uint8Array(0);
    }
    const { records, validLength } = decodeRecords(bytes);
    const fd = openSync(path, "a+");
    if (validLength < bytes.byteLength) ftruncateSync(fd, validLength);
    return { log: new LogFile(path, fd, validLength), records };
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one record; when this returns, the batch survives the process being killed. */
  append(record: LogRecord): void {
    const bytes = encodeRecord(record);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.#fd, bytes, written);
    } catch (error) {
      // Leave no partial record behind for the next append to follow.
      if (written > 0) ftruncateSync(this.#fd, this.#size);
      throw error;
    }
    this.#size += bytes.length;
  }

  /**
   * Replaces the log with one record holding `snapshot` (written to a
   * temporary file, synced, then renamed over the log: atomic).
   */
  compact(snapshot: LogRecord): void {
    const temporary = `${this.path}.compact`;
    const bytes = encodeRecord(snapshot);
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, "a+");
    this.#size = bytes.length;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
