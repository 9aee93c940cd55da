import type { Awaitable } from "../../base/awaitable.js";

/**
 * Where object bodies live, apart from their metadata. A blob is written
 * once under a fresh id and never changed: a body being replaced is a new
 * blob, so a layer popped in a test never copies bodies, and a reader keeps
 * reading what it opened.
 */
export interface BlobStore {
  /** Starts writing the blob `id`; it exists for readers only once `finish()` resolves. */
  create(id: string): BlobWriter;
  /** Opens a finished blob of `size` bytes (as its metadata records) for reading; undefined if it is gone. */
  open(id: string, size: number): Awaitable<BlobReader | undefined>;
  /** Deletes blobs (missing ones are ignored). */
  delete(ids: readonly string[]): Awaitable<void>;
  /** Deletes every blob not in `referenced`: what a killed process left behind. */
  sweep?(referenced: ReadonlySet<string>): Awaitable<void>;
  close(): Awaitable<void>;
}

export interface BlobWriter {
  write(chunk: Uint8Array): Awaitable<void>;
  /** Makes the blob visible, whole, under its id. */
  finish(): Awaitable<void>;
  /** Drops what was written. */
  abort(): Awaitable<void>;
}

export interface BlobReader {
  /** `length` bytes from `position` (fewer at the end). */
  read(position: number, length: number): Awaitable<Uint8Array>;
  close(): void;
}
