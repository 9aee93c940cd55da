import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import * as path from "../../base/path.js";
import { DuraboxError } from "../../base/errors.js";
import { fileStorageError } from "./file-errors.js";
import { lockDirectory } from "./file-lock.js";
import { salvageLog, scanLog } from "./file-log-scan.js";
import { listDirectory, namespaceFromDirectory } from "./file.js";
import type { LogRecord } from "./file-log-format.js";

/** One damaged log that was repaired. */
export interface RepairedLog {
  readonly namespace: string;
  readonly id: string;
  /** The new log: every whole record of the old one, in order. */
  readonly log: string;
  /** The damaged log, kept as it was. */
  readonly damagedCopy: string;
  /** How many whole records were kept. */
  readonly keptRecords: number;
  /** The byte ranges of the damaged log that were left out. */
  readonly lost: readonly { readonly offset: number; readonly length: number }[];
}

/** One SQLite-backed object whose files were damaged. */
export interface RepairedDatabase {
  readonly namespace: string;
  readonly id: string;
  readonly database: string;
  /** The original files, kept as they were (`<name>.corrupt-<time>`). */
  readonly keptAside: readonly string[];
  /** The -wal's damage, and what of it was kept: its frames up to the last whole commit before the damage. */
  readonly wal?: {
    readonly problem: string;
    readonly keptFrames: number;
    readonly keptCommits: number;
    readonly droppedFrames: number;
    readonly droppedCommits: number;
  };
  /** Set when SQLite cannot read the database: its files are moved aside, and the object starts empty. */
  readonly unrecoverable?: string;
}

/** Repairs one SQLite-backed object's directory (given the backup names' suffix); undefined when nothing was damaged. */
export type DatabaseRepair = (objectDirectory: string, suffix: string) => Omit<RepairedDatabase, "namespace" | "id"> | undefined;

export interface RepairReport {
  readonly directory: string;
  /** How many object logs were read. */
  readonly checked: number;
  readonly repaired: RepairedLog[];
  /** How many SQLite databases were read (when the repair covers them). */
  readonly checkedDatabases: number;
  readonly repairedDatabases: RepairedDatabase[];
}

/**
 * Recovers a persistence directory whose logs are damaged (which makes
 * opening those objects fail with ERR_STORAGE_CORRUPT): each damaged log is
 * replaced by a log of its whole records, the original kept beside it as
 * `log.corrupt-<time>`. Logs that are whole, or only torn at the end by a
 * crash (which opening mends), are left alone. Takes the directory's lock,
 * so it refuses to run while a runtime uses the directory.
 */
export function repairPersistenceDirectory(directory: string, repairDatabase?: DatabaseRepair): RepairReport {
  const root = path.resolve(directory);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new DuraboxError(
      "ERR_OPTIONS",
      `${root} is not a directory: pass the persistence directory (durableObjectsPersist), for example ./.durabox/do.`,
    );
  }
  let release: () => void;
  try {
    release = lockDirectory(root);
  } catch (error) {
    throw fileStorageError("repair (locking the directory)", { root }, error, "Nothing was changed.");
  }
  let checked = 0;
  let checkedDatabases = 0;
  const repaired: RepairedLog[] = [];
  const repairedDatabases: RepairedDatabase[] = [];
  const suffix = timestamp();
  try {
    for (const namespaceDir of listDirectory(root)) {
      if (namespaceDir.startsWith(".")) continue;
      for (const id of listDirectory(path.join(root, namespaceDir))) {
        const log = path.join(root, namespaceDir, id, "log");
        if (!/^[0-9a-f]{64}$/.test(id)) continue;
        const object = { namespace: namespaceFromDirectory(namespaceDir), id };
        if (repairDatabase !== undefined && existsSync(path.join(root, namespaceDir, id, "db.sqlite"))) {
          checkedDatabases++;
          try {
            const outcome = repairDatabase(path.join(root, namespaceDir, id), suffix);
            if (outcome !== undefined) repairedDatabases.push({ ...object, ...outcome });
          } catch (error) {
            throw fileStorageError("repair", { root, object }, error, "Its original files are kept as *.corrupt-<time> beside it.");
          }
        }
        if (!existsSync(log)) continue;
        checked++;
        try {
          const outcome = repairLog(log);
          if (outcome !== undefined) repaired.push({ ...object, ...outcome });
        } catch (error) {
          throw fileStorageError("repair", { root, object }, error, "This log is unchanged; fix the cause and run the repair again.");
        }
      }
    }
  } finally {
    release();
  }
  return { directory: root, checked, repaired, checkedDatabases, repairedDatabases };
}

function repairLog(log: string): Omit<RepairedLog, "namespace" | "id"> | undefined {
  const bytes = readFileSync(log);
  if (scanLog(bytes).damage === undefined) return undefined;
  const salvage = salvageLog(bytes);
  const damagedCopy = freeName(`${log}.corrupt-${timestamp()}`);
  const temporary = `${log}.salvage`;
  writeSynced(temporary, Buffer.concat(salvage.bytes));
  // Keep the original under its new name first: at no moment is there no log, or no original.
  try {
    linkSync(log, damagedCopy);
  } catch {
    copyFileSync(log, damagedCopy);
  }
  renameSync(temporary, log);
  syncDirectory(path.dirname(log));
  writeAlarmFile(path.join(path.dirname(log), "alarm"), alarmOf(salvage.records));
  return { log, damagedCopy, keptRecords: salvage.records.length, lost: salvage.lost };
}

/** The alarm the records leave set, as replaying them would. */
function alarmOf(records: readonly LogRecord[]): number | null {
  let alarm: number | null = null;
  for (const record of records) {
    if (record.deleteAll) alarm = null;
    if (record.alarm !== undefined) alarm = record.alarm;
  }
  return alarm;
}

function writeAlarmFile(file: string, alarm: number | null): void {
  if (alarm === null) {
    rmSync(file, { force: true });
    return;
  }
  writeFileSync(`${file}.tmp`, String(alarm));
  renameSync(`${file}.tmp`, file);
}

function writeSynced(file: string, bytes: Buffer): void {
  const fd = openSync(file, "w");
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform syncs a directory; the renames are still atomic.
  }
}

/** The time as 20240131T235959Z: sortable, and valid in a file name everywhere. */
function timestamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function freeName(base: string): string {
  let name = base;
  for (let n = 2; existsSync(name); n++) name = `${base}-${n}`;
  return name;
}
