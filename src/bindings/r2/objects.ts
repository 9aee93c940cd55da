import type { BodySource } from "./body.js";
import type { ResolvedRange } from "./ranges.js";
import type { StoredHttpMetadata, StoredObject } from "./records.js";
import { markSized } from "../../base/stream-lengths.js";

/** An object's HTTP metadata as R2 hands it out (`cacheExpiry` a Date). */
export interface R2HTTPMetadata {
  contentType?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  cacheControl?: string;
  cacheExpiry?: Date;
}

function httpMetadataOut(stored: StoredHttpMetadata): R2HTTPMetadata {
  const { cacheExpiry, ...text } = stored;
  return { ...text, ...(cacheExpiry !== undefined && { cacheExpiry: new Date(cacheExpiry) }) };
}

/** A digest's bytes in an ArrayBuffer of their own. */
const hexBytes = (hex: string | undefined): ArrayBuffer | undefined =>
  hex === undefined ? undefined : new Uint8Array(Buffer.from(hex, "hex")).buffer;

/** The checksums R2 stored for an object: bytes, and hex from toJSON(). */
export class R2Checksums {
  readonly md5?: ArrayBuffer;
  readonly sha1?: ArrayBuffer;
  readonly sha256?: ArrayBuffer;
  readonly sha384?: ArrayBuffer;
  readonly sha512?: ArrayBuffer;
  readonly #hex: Record<string, string>;

  constructor(hex: Record<string, string>) {
    this.#hex = hex;
    for (const name of ["md5", "sha1", "sha256", "sha384", "sha512"] as const) {
      if (hex[name] !== undefined) this[name] = hexBytes(hex[name]);
    }
  }

  toJSON(): Record<string, string> {
    return { ...this.#hex };
  }
}

/** What `include` asks a list to give; a head, get or put gives both. */
export interface Included {
  readonly httpMetadata: boolean;
  readonly customMetadata: boolean;
}
const EVERYTHING: Included = { httpMetadata: true, customMetadata: true };

/** An object's metadata (head, put, list, and a get whose `onlyIf` failed). */
export class R2Object {
  readonly key: string;
  readonly version: string;
  readonly size: number;
  readonly etag: string;
  readonly httpEtag: string;
  readonly checksums: R2Checksums;
  readonly uploaded: Date;
  readonly httpMetadata?: R2HTTPMetadata;
  readonly customMetadata?: Record<string, string>;
  readonly range?: { offset: number; length: number };
  readonly storageClass = "Standard";

  /** @internal */
  constructor(stored: StoredObject, included: Included = EVERYTHING, range?: ResolvedRange) {
    this.key = stored.key;
    this.version = stored.version;
    this.size = stored.size;
    this.etag = stored.etag;
    this.httpEtag = `"${stored.etag}"`;
    this.checksums = new R2Checksums(stored.checksums);
    this.uploaded = new Date(stored.uploaded);
    if (included.httpMetadata) this.httpMetadata = httpMetadataOut(stored.httpMetadata);
    if (included.customMetadata) this.customMetadata = { ...stored.customMetadata };
    if (range !== undefined) this.range = { offset: range.offset, length: range.length };
  }

  /** Sets the object's HTTP metadata as response headers. */
  writeHttpMetadata(headers: Headers): void {
    const metadata = this.httpMetadata;
    if (metadata === undefined) {
      throw new TypeError(
        `HTTP metadata unknown for key \`${this.key}\`. Did you forget to add 'httpMetadata' to \`include\` when listing?`,
      );
    }
    if (metadata.contentType !== undefined) headers.set("content-type", metadata.contentType);
    if (metadata.contentLanguage !== undefined) headers.set("content-language", metadata.contentLanguage);
    if (metadata.contentDisposition !== undefined) headers.set("content-disposition", metadata.contentDisposition);
    if (metadata.contentEncoding !== undefined) headers.set("content-encoding", metadata.contentEncoding);
    if (metadata.cacheControl !== undefined) headers.set("cache-control", metadata.cacheControl);
    if (metadata.cacheExpiry !== undefined) headers.set("expires", metadata.cacheExpiry.toUTCString());
  }
}

const USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

/** An object with its body (a get whose conditions held). */
export class R2ObjectBody extends R2Object {
  readonly #source: BodySource;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  /** @internal */
  constructor(stored: StoredObject, source: BodySource) {
    super(stored, EVERYTHING, source.range);
    this.#source = source;
  }

  /** The body as a stream, read as it is consumed. */
  get body(): ReadableStream<Uint8Array> {
    if (this.#stream === undefined) {
      const source = this.#stream === undefined && this.#used ? undefined : this.#source;
      const inner = source?.stream() ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      // Reading it uses the body, as with Response.
      const reader = inner.getReader();
      // Its length is known, as workerd's R2 bodies' are: it can be put again.
      this.#stream = markSized(
        new ReadableStream<Uint8Array>(
          {
            pull: async (controller) => {
              this.#used = true;
              const { done, value } = await reader.read();
              if (done) controller.close();
              else controller.enqueue(value);
            },
            cancel: (reason) => reader.cancel(reason),
          },
          { highWaterMark: 0 },
        ),
      );
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#readAll();
    // The bytes' own buffer when it holds exactly them (no copy), else a copy of them.
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#readAll());
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  async blob(): Promise<Blob> {
    const bytes = await this.#readAll();
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: this.httpMetadata?.contentType ?? "" });
  }

  async #readAll(): Promise<Uint8Array> {
    if (this.bodyUsed) throw new TypeError(USED);
    this.#used = true;
    if (this.#stream === undefined) return this.#source.readAll();
    // The stream was taken but not read: read it through, as a Response would.
    const chunks: Uint8Array[] = [];
    const reader = this.#stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }
}
