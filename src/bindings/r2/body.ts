import type { BlobReader, BlobStore } from "./blob-store.js";
import type { StoredPart } from "./records.js";
import type { ResolvedRange } from "./ranges.js";

/** How much of a body one pull of its stream reads. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * A range of an object's body over its parts' blobs, opened when the object
 * is read (so the body stays readable if the object is replaced meanwhile).
 */
interface OpenedPart {
  /** Where the part starts in the object. */
  readonly start: number;
  readonly size: number;
  readonly reader: BlobReader;
}

export class BodySource {
  readonly #parts: readonly OpenedPart[];
  readonly range: ResolvedRange;
  #position: number;

  private constructor(parts: readonly OpenedPart[], range: ResolvedRange) {
    this.#parts = parts;
    this.range = range;
    this.#position = range.offset;
  }

  /** Opens the parts the range covers; undefined if a blob is gone (the object was deleted as it was read). */
  static async open(blobs: BlobStore, parts: readonly StoredPart[], range: ResolvedRange): Promise<BodySource | undefined> {
    const opened: OpenedPart[] = [];
    let start = 0;
    const end = range.offset + range.length;
    for (const part of parts) {
      if (start + part.size > range.offset && start < end) {
        const reader = await blobs.open(part.blob, part.size);
        if (reader === undefined) {
          for (const { reader: r } of opened) r.close();
          return undefined;
        }
        opened.push({ start, size: part.size, reader });
      }
      start += part.size;
    }
    return new BodySource(opened, range);
  }

  get remaining(): number {
    return this.range.offset + this.range.length - this.#position;
  }

  /** The next bytes (at most `max`), empty at the end. */
  async next(max = CHUNK_BYTES): Promise<Uint8Array> {
    const want = Math.min(max, this.remaining);
    if (want <= 0) return new Uint8Array(0);
    const part = this.#parts.find((p) => this.#position < p.start + p.size)!;
    const within = this.#position - part.start;
    const bytes = await part.reader.read(within, Math.min(want, part.size - within));
    this.#position += bytes.byteLength;
    if (bytes.byteLength === 0) this.#position = this.range.offset + this.range.length;
    return bytes;
  }

  /** The rest of the range, in one buffer. */
  async readAll(): Promise<Uint8Array> {
    if (this.remaining <= 0) return new Uint8Array(0);
    const chunks: Uint8Array[] = [];
    while (this.remaining > 0) {
      const chunk = await this.next(this.remaining);
      if (chunk.byteLength === 0) break;
      chunks.push(chunk);
    }
    this.close();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  close(): void {
    for (const { reader } of this.#parts) reader.close();
  }

  /** The range as a byte stream, read on demand (nothing is read until the consumer asks). */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.next();
          if (chunk.byteLength > 0) controller.enqueue(chunk);
          if (this.remaining <= 0) {
            this.close();
            controller.close();
          }
        },
        cancel: () => this.close(),
      },
      { highWaterMark: 0 },
    );
  }
}
