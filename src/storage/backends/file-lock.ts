import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import * as path from "../../base/path.js";
import { DuraboxError } from "../../base/errors.js";

/** Directories this process holds, so two runtimes in one process are refused too. */
const heldHere = new Set<string>();

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

/**
 * An exclusive lock on a persistence directory: a `.lock` file holding the
 * owner's pid, created with O_EXCL. A lock whose process is gone is stale
 * and taken over. Returns the release function.
 */
export function lockDirectory(directory: string): () => void {
  const resolved = path.resolve(directory);
  if (heldHere.has(resolved)) refuse(resolved, "another Durabox in this process");
  const file = path.join(resolved, ".lock");
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw error;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) refuse(resolved, `process ${pid}`);
      // Stale (its process is gone): take it over.
      unlinkSync(file);
    }
  }
  heldHere.add(resolved);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(resolved);
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
