import { nodeCrypto } from "../../base/node-crypto.js";
import { closeSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from "node:fs";
import * as path from "../../base/path.js";
import { DuraboxError } from "../../base/errors.js";
import { processSharedMap } from "../../base/shared-state.js";

/**
 * Directories held in this process, by the directory's identity (device and
 * inode), to the token written in their `.lock`: a second runtime on the same
 * directory, by another name (a symlink, a bind mount, a relative path) or
 * from another copy of durabox (Jest loads one per test file), is refused too.
 */
const heldHere = processSharedMap<string, string>("persistLocks");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function refuse(directory: string, holder: string): never {
  throw new DuraboxError(
    "ERR_PERSIST_LOCKED",
    `The persistence directory ${directory} is in use by ${holder}. Two runtimes writing one directory would corrupt it: ` +
      "stop the other one (or dispose() it), or give each runtime its own directory.",
  );
}

/** A lock file's contents: the holder's pid and its token, one per line. */
function readLock(file: string): { text: string; pid: number; token: string | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const [pid, token] = text.split("\n");
  return { text, pid: Number(pid?.trim()), token: token?.trim() || undefined };
}

/**
 * An exclusive lock on a persistence directory: a `.lock` file holding the
 * owner's pid and a token of its own, created with O_EXCL. The directory is
 * known by its real path and identity, never by the name it was given. A
 * lock whose process is gone (or is this process, which holds no lock with
 * that token: a former process with the same pid) is stale and taken over.
 * Returns the release function, which deletes the file only while it is
 * still this lock's.
 */
export function lockDirectory(directory: string): () => void {
  const real = realpathSync(path.resolve(directory));
  const { dev, ino } = statSync(real);
  const identity = `${dev}:${ino}`;
  if (heldHere.has(identity)) refuse(real, "another Durabox in this process");
  const file = path.join(real, ".lock");
  const token = nodeCrypto().randomUUID();
  const contents = `${process.pid}\n${token}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx");
      try {
        writeSync(fd, contents);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw error;
      const held = readLock(file);
      if (held === undefined) continue;
      const pid = held.pid;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) refuse(real, `process ${pid}`);
      // This process's pid: stale only if no lock of this process has that token.
      if (pid === process.pid && [...heldHere.values()].includes(held.token ?? "")) refuse(real, "another Durabox in this process");
      // Stale (its process is gone): take it over, unless it changed since it was read.
      if (readLock(file)?.text === held.text) unlinkSync(file);
    }
  }
  heldHere.set(identity, token);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(identity);
    try {
      // Only while the file is still this lock's: never another runtime's.
      if (readLock(file)?.token === token) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
