import { MAGIC_BYTES, readRecordAt, type LogRecord, type RecordProblem } from "./file-log-format.js";

/**
 * Reading a whole log, telling the two ways it can end badly apart:
 *
 * - a torn tail: the last write, cut short by a crash. Nothing whole follows
 *   it, and it is an unfinished record (its length runs past the end of the
 *   file, or its header is cut off), or bytes the file system allocated but
 *   never wrote (zeros). Dropping it loses only a batch never acknowledged.
 * - damage: a bad record with a whole record after it, or a complete record
 *   (its length within the file) whose bytes are wrong. No crash of durabox
 *   makes these (each record is one append); dropping from there would lose
 *   acknowledged batches, so the log is refused, never cut.
 *
 * A whole record is one whose marker, length, checksum and payload all
 * hold. The one ambiguity left: a flipped bit in the length field of the
 * last record, making it run past the end, reads as a torn tail.
 */
export interface LogDamage {
  /** Where the first bad byte range starts. */
  readonly offset: number;
  readonly problem: RecordProblem;
  /** Where the next whole record after it starts, if one does. */
  readonly nextRecord: number | undefined;
}

export interface LogScan {
  /** The whole records before the first bad byte. */
  readonly records: LogRecord[];
  /** Where they end: the file's length, or where a torn tail or the damage starts. */
  readonly validLength: number;
  /** Set when the log is damaged (not merely torn at its end). */
  readonly damage: LogDamage | undefined;
}

export function scanLog(bytes: Uint8Array): LogScan {
  const view = asBuffer(bytes);
  const records: LogRecord[] = [];
  let at = 0;
  while (at < view.length) {
    const next = readRecordAt(view, at);
    if (!next.ok) {
      const nextRecord = nextWholeRecord(view, at + 1);
      const torn = nextRecord === undefined && isTornTail(view, at, next.problem);
      return { records, validLength: at, damage: torn ? undefined : { offset: at, problem: next.problem, nextRecord } };
    }
    records.push(next.record);
    at = next.end;
  }
  return { records, validLength: at, damage: undefined };
}

/** What a repair keeps: every whole record, in order (their bytes as written), and the ranges lost. */
export interface Salvage {
  readonly records: LogRecord[];
  readonly bytes: Buffer[];
  readonly lost: { readonly offset: number; readonly length: number }[];
}

export function salvageLog(bytes: Uint8Array): Salvage {
  const view = asBuffer(bytes);
  const salvage: Salvage = { records: [], bytes: [], lost: [] };
  let at = 0;
  while (at < view.length) {
    const next = readRecordAt(view, at);
    if (next.ok) {
      salvage.records.push(next.record);
      salvage.bytes.push(view.subarray(at, next.end));
      at = next.end;
      continue;
    }
    const resume = nextWholeRecord(view, at + 1) ?? view.length;
    salvage.lost.push({ offset: at, length: resume - at });
    at = resume;
  }
  return salvage;
}

/** The offset of the first whole record starting at or after `from`. */
function nextWholeRecord(view: Buffer, from: number): number | undefined {
  for (let at = view.indexOf(MAGIC_BYTES, from); at !== -1; at = view.indexOf(MAGIC_BYTES, at + 1)) {
    if (readRecordAt(view, at).ok) return at;
  }
  return undefined;
}

function isTornTail(view: Buffer, at: number, problem: RecordProblem): boolean {
  const rest = view.subarray(at);
  if (rest.every((byte) => byte === 0)) return true;
  if (problem === "length runs past the end of the file") return true;
  // A header cut off: what there is of it must be the start of a record.
  if (problem === "incomplete header") return MAGIC_BYTES.subarray(0, Math.min(rest.length, 4)).equals(rest.subarray(0, 4));
  return false;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
