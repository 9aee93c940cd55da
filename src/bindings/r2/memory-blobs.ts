import type { BlobReader, BlobStore, BlobWriter } from "./blob-store.js";

/** Bodies in memory: each blob one Uint8Array, assembled when its writer finishes. */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  create(id: string): BlobWriter {
    const chunks: Uint8Array[] = [];
    return {
      write: (chunk) => {
        chunks.push(chunk);
      },
      finish: () => {
        this.#blobs.set(id, chunks.length === 1 ? chunks[0]!.slice() : Buffer.concat(chunks));
      },
      abort: () => {
        chunks.length = 0;
      },
    };
  }

  open(id: string): BlobReader | undefined {
    const bytes = this.#blobs.get(id);
    if (bytes === undefined) return undefined;
    return {
      // A copy: the reader may keep or change what it is given.
      read: (position, length) => bytes.slice(position, position + length),
      close() {},
    };
  }

  delete(ids: readonly string[]): void {
    for (const id of ids) this.#blobs.delete(id);
  }

  /** How many blobs are held (tests check nothing leaks). */
  get count(): number {
    return this.#blobs.size;
  }

  close(): void {
    this.#blobs.clear();
  }
}
