import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, ftruncateSync, existsSync, unlinkSync } from "node:fs";
import { encodeRecord, type LogRecord } from "./file-log-format.js";
import { scanLog, type LogDamage } from "./file-log-scan.js";

export type { LogRecord } from "./file-log-format.js";

/**
 * One object's append-only log (format: file-log-format.ts). A record is
 * written with one write(2); a process killed mid-write leaves a torn tail,
 * which opening drops (and truncates), so a batch is either wholly in the
 * log or not at all. A log damaged otherwise is refused and left untouched
 * (see file-log-scan.ts).
 */
export type OpenedLog = { readonly log: LogFile; readonly records: LogRecord[] } | { readonly damage: LogDamage; readonly size: number };

/** An open log file: replayed once, then appended to. */
export class LogFile {
  #fd: number;
  #size: number;
  /** Set when a failed append could not be undone: appending more would bury the partial record. */
  #broken: Error | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
  ) {
    this.#fd = fd;
    this.#size = size;
  }

  /** Opens (creating) the log with its records, cutting off a torn tail; a damaged log is not opened. */
  static open(path: string): OpenedLog {
    // A compaction that died before its rename leaves a temporary file: the log is still whole.
    if (existsSync(`${path}.compact`)) unlinkSync(`${path}.compact`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      bytes = new Uint8Array(0);
    }
    const { records, validLength, damage } = scanLog(bytes);
    if (damage !== undefined) return { damage, size: bytes.byteLength };
    const fd = openSync(path, "a+");
    try {
      if (validLength < bytes.byteLength) ftruncateSync(fd, validLength);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return { log: new LogFile(path, fd, validLength), records };
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one record; when this returns, the batch survives the process being killed. */
  append(record: LogRecord): void {
    if (this.#broken !== undefined) throw this.#broken;
    const bytes = encodeRecord(record);
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.#fd, bytes, written);
    } catch (error) {
      // Leave no partial record behind for the next append to follow.
      if (written > 0) {
        try {
          ftruncateSync(this.#fd, this.#size);
        } catch {
          this.#broken = error as Error;
        }
      }
      throw error;
    }
    this.#size += bytes.length;
  }

  /**
   * Replaces the log with one record holding `snapshot`: written to a
   * temporary file, synced, then renamed over the log (atomic). The new
   * descriptor is opened before the rename, so a failure at any step leaves
   * the old log in use.
   */
  compact(snapshot: LogRecord): void {
    const temporary = `${this.path}.compact`;
    const bytes = encodeRecord(snapshot);
    // Append mode, as the log's own descriptor: after a failed append, truncating puts the next one right.
    const fd = openSync(temporary, "a+");
    try {
      ftruncateSync(fd, 0);
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
      renameSync(temporary, this.path);
    } catch (error) {
      closeSync(fd);
      try {
        unlinkSync(temporary);
      } catch {
        // Deleted on the next open.
      }
      throw error;
    }
    closeSync(this.#fd);
    this.#fd = fd;
    this.#size = bytes.length;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
