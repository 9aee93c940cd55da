import { DuraboxError } from "../../base/errors.js";
import type { ObjectAddress } from "../address.js";
import type { LogDamage } from "./file-log-scan.js";

/** Where a failure happened: the persistence directory, and the object if one. */
export interface FailurePlace {
  readonly root: string;
  readonly object?: ObjectAddress;
}

function describePlace({ root, object }: FailurePlace): string {
  return object === undefined ? `in ${root}` : `for object ${object.id} of ${object.namespace} in ${root}`;
}

/** What to do about a file system error, by its code. */
function advice(code: string | undefined, root: string): string {
  switch (code) {
    case "EROFS":
    case "SQLITE_READONLY":
      return `The file system holding ${root} is read-only: make it writable, or give durableObjectsPersist a writable directory.`;
    case "EACCES":
    case "EPERM":
    case "SQLITE_PERM":
      return `This process may not write there: fix the permissions of ${root} and what is inside it, or give durableObjectsPersist a directory it can write.`;
    case "ENOSPC":
    case "EDQUOT":
    case "SQLITE_FULL":
      return "The disk (or your quota) is full: free some space, then retry; the data stored so far is intact.";
    case "EMFILE":
    case "ENFILE":
      return "Too many files are open: raise the limit (ulimit -n), then retry.";
    default:
      return `Check ${root} (the disk, its permissions), then retry.`;
  }
}

/**
 * A file system failure as a DuraboxError (ERR_STORAGE), as Redis failures
 * are: what failed, where, what it means for the data, what to do; the
 * original error is the cause.
 */
export function fileStorageError(
  operation: string,
  place: FailurePlace,
  error: unknown,
  outcome: string,
  code: string | undefined = (error as NodeJS.ErrnoException).code,
): DuraboxError {
  if (error instanceof DuraboxError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DuraboxError(
    "ERR_STORAGE",
    `Durable Object storage ${operation} failed ${describePlace(place)}: ${reason}. ${outcome} ${advice(code, place.root)}`,
    { cause: error },
  );
}

/** A damaged log: the object is not opened, and how to recover. */
export function corruptLogError(file: string, size: number, damage: LogDamage, place: FailurePlace): DuraboxError {
  const what =
    damage.nextRecord !== undefined
      ? `${damage.problem}; whole records follow from byte ${damage.nextRecord}, so this is not a write cut short by a crash`
      : `${damage.problem} in a record that is complete in length, which a write cut short by a crash does not leave`;
  return new DuraboxError(
    "ERR_STORAGE_CORRUPT",
    `The Durable Object log ${file} is damaged at byte ${damage.offset} of ${size} (${what}). ` +
      `Replaying it would silently lose what comes after, so object ${place.object?.id} of ${place.object?.namespace} is not opened and the file is left as it is. ` +
      `To keep every intact record, stop the runtimes using ${place.root} and run \`npx durabox repair ${place.root}\` ` +
      "(or call repairPersistenceDirectory()): it writes the whole records to a new log and moves the damaged one aside as log.corrupt-<time>. " +
      "Or restore the file from a backup.",
  );
}

/** A damaged SQLite database or WAL: the object is not opened, the files are left as they are, and how to recover. */
export function corruptDatabaseError(file: string, problem: string, place: FailurePlace): DuraboxError {
  return new DuraboxError(
    "ERR_STORAGE_CORRUPT",
    `The SQLite database ${file} of Durable Object ${place.object?.id} of ${place.object?.namespace} is damaged: ${problem}. ` +
      "Opening it would silently lose what comes after the damage, so the object is not opened and its files (db.sqlite, db.sqlite-wal) are left as they are. " +
      `To keep every commit before the damage, stop the runtimes using ${place.root} and run \`npx durabox repair ${place.root}\`: ` +
      "it keeps the originals aside as <name>.corrupt-<time>, cuts the -wal after its last whole commit before the damage and checkpoints it " +
      "(a db.sqlite SQLite cannot read is moved aside, unrecoverable). Or restore the files from a backup.",
  );
}
