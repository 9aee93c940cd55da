import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import * as path from "../../base/path.js";
import type { BlobReader, BlobStore, BlobWriter } from "./blob-store.js";

/** Temporary files start with this; a blob's file name is its id (hex), so the two never meet. */
const TEMP_PREFIX = ".tmp-";

/** Closes a reader's file if its reader is dropped unread (a body nobody consumed). */
const unclosed = new FinalizationRegistry<{ fd: number | undefined }>((handle) => {
  if (handle.fd !== undefined) closeSync(handle.fd);
});

/**
 * Bodies as files, `<directory>/<id>`: written to a temporary file chunk by
 * chunk as the body arrives (never held whole) and renamed into place when
 * complete, so a killed process leaves a whole blob or none. A blob file is
 * never rewritten; a reader opens the file when the object is read, so a
 * body replaced or deleted meanwhile still reads whole.
 */
export class FileBlobStore implements BlobStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = directory;
    mkdirSync(directory, { recursive: true });
  }

  create(id: string): BlobWriter {
    const final = path.join(this.directory, id);
    const temp = path.join(this.directory, `${TEMP_PREFIX}${id}`);
    const fd = openSync(temp, "wx");
    let open = true;
    const close = (): void => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      write: (chunk) => {
        let written = 0;
        while (written < chunk.byteLength) written += writeSync(fd, chunk, written);
      },
      finish: () => {
        close();
        renameSync(temp, final);
      },
      abort: () => {
        close();
        rmSync(temp, { force: true });
      },
    };
  }

  open(id: string): BlobReader | undefined {
    let fd: number;
    try {
      fd = openSync(path.join(this.directory, id), "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const handle: { fd: number | undefined } = { fd };
    const reader: BlobReader = {
      read: (position, length) => {
        const bytes = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          const n = readSync(fd, bytes, done, length - done, position + done);
          if (n === 0) break;
          done += n;
        }
        return done === length ? bytes : bytes.subarray(0, done);
      },
      close: () => {
        if (handle.fd === undefined) return;
        closeSync(handle.fd);
        handle.fd = undefined;
        unclosed.unregister(reader);
      },
    };
    unclosed.register(reader, handle, reader);
    return reader;
  }

  delete(ids: readonly string[]): void {
    for (const id of ids) rmSync(path.join(this.directory, id), { force: true });
  }

  sweep(referenced: ReadonlySet<string>): void {
    for (const name of readdirSync(this.directory)) {
      if (name.startsWith(TEMP_PREFIX) || !referenced.has(name)) rmSync(path.join(this.directory, name), { force: true });
    }
  }

  close(): void {}
}
