import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/**
 * Damage in a SQLite write-ahead log, found before SQLite opens it. SQLite's
 * recovery stops at the first frame whose checksum fails and drops every
 * frame after it, then deletes the -wal once it has checkpointed what it kept:
 * one damaged byte silently loses every later commit. A torn tail (frames
 * cut short at the end by a crash, never acknowledged) is what recovery is
 * for; damage is a bad frame followed by a later *commit* frame of the same
 * WAL generation (same salts) whose own checksum holds, which no crash leaves.
 * Frames left over from a rolled-back transaction are never commit frames, and
 * those of an earlier generation have other salts, so neither counts.
 * Format: https://www.sqlite.org/fileformat2.html#the_write_ahead_log
 */
export class DamagedWal extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

const HEADER = 32;
const FRAME_HEADER = 24;

/** Throws DamagedWal when `file` (a -wal) is damaged before its end; returns quietly when it is whole, torn or absent. */
export function checkWal(file: string): void {
  const damage = scanWal(file);
  if (damage !== undefined) throw new DamagedWal(file, damage.problem);
}

/** A -wal damaged before its end, and what of it is whole: the frames up to the last commit before the damage. */
export interface WalDamage {
  readonly problem: string;
  /** The -wal's bytes up to and including the last whole commit before the damage (0: none is). */
  readonly keepBytes: number;
  readonly keptFrames: number;
  readonly keptCommits: number;
  /** Frames (and commit frames) from the kept prefix to the end, dropped by keeping only that prefix. */
  readonly droppedFrames: number;
  readonly droppedCommits: number;
}

/** The damage in `file` (a -wal) before its end; undefined when it is whole, torn or absent. */
export function scanWal(file: string): WalDamage | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < HEADER) return undefined;
    const header = Buffer.alloc(HEADER);
    readSync(fd, header, 0, HEADER, 0);
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    const frameSize = FRAME_HEADER + pageSize;
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    const nothingKept = (problem: string, frames: number): WalDamage => ({
      problem,
      keepBytes: 0,
      keptFrames: 0,
      keptCommits: 0,
      droppedFrames: frames,
      droppedCommits: frames,
    });
    if ((magic !== 0x377f0682 && magic !== 0x377f0683) || !validPageSize) {
      if (size >= HEADER + FRAME_HEADER + 512)
        return nothingKept(`its header is damaged (bad magic number or page size), with ${size} bytes of frames after it`, 0);
      return undefined;
    }
    const bigEndian = magic === 0x377f0683;
    const headerSum = checksum(header.subarray(0, 24), [0, 0], bigEndian);
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frames = Math.floor((size - HEADER) / frameSize);
    if (headerSum[0] !== header.readUInt32BE(24) || headerSum[1] !== header.readUInt32BE(28)) {
      if (frames > 0) return nothingKept(`its header's checksum fails, with ${frames} frames after it`, frames);
      return undefined;
    }
    const frame = Buffer.alloc(frameSize);
    let previous: [number, number] = [header.readUInt32BE(24), header.readUInt32BE(28)];
    let firstBad = -1;
    let keptFrames = 0;
    let keptCommits = 0;
    let damage: string | undefined;
    let commitsAfter = 0;
    for (let i = 0; i < frames; i++) {
      readSync(fd, frame, 0, frameSize, HEADER + i * frameSize);
      const stored: [number, number] = [frame.readUInt32BE(16), frame.readUInt32BE(20)];
      const saltsMatch = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      const sum = checksum(frame.subarray(FRAME_HEADER), checksum(frame.subarray(0, 8), previous, bigEndian), bigEndian);
      const holds = saltsMatch && sum[0] === stored[0] && sum[1] === stored[1];
      const commit = frame.readUInt32BE(4) !== 0;
      if (firstBad === -1 && !holds) firstBad = i;
      else if (firstBad === -1 && commit) {
        keptFrames = i + 1;
        keptCommits++;
      } else if (firstBad !== -1 && holds && commit) {
        commitsAfter++;
        damage ??=
          `frame ${firstBad + 1} of ${frames} (at byte ${HEADER + firstBad * frameSize}) fails its checksum, and a whole committed frame follows ` +
          `(frame ${i + 1}, at byte ${HEADER + i * frameSize}), so this is not a write cut short by a crash; SQLite would drop every commit from frame ${firstBad + 1} on`;
      }
      previous = stored;
    }
    if (damage === undefined) return undefined;
    return {
      problem: damage,
      keepBytes: keptFrames === 0 ? 0 : HEADER + keptFrames * frameSize,
      keptFrames,
      keptCommits,
      droppedFrames: frames - keptFrames,
      // The commit the damaged frame belonged to, and every whole one after it.
      droppedCommits: commitsAfter + 1,
    };
  } finally {
    closeSync(fd);
  }
}

/** SQLite's WAL checksum over `data` (a multiple of 8 bytes), continuing from `seed`. */
function checksum(data: Buffer, seed: readonly [number, number], bigEndian: boolean): [number, number] {
  let s0 = seed[0];
  let s1 = seed[1];
  for (let i = 0; i < data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}
