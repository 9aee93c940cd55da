import { markSized, sized } from "../base/stream-lengths.js";
import { processMarkingGetter, processSharedWeakSet } from "../base/shared-state.js";

const TOO_MANY = "Attempt to write too many bytes through a FixedLengthStream.";
const TOO_FEW = "FixedLengthStream did not see all expected bytes before close().";
const NOT_BYTES =
  "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.";

function bytesOf(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer || Object.prototype.toString.call(chunk) === "[object ArrayBuffer]")
    return new Uint8Array(chunk as ArrayBuffer);
  return undefined;
}

function expectedLengthOf(value: unknown): number {
  const length = typeof value === "bigint" ? Number(value) : value;
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
    throw new TypeError(
      `FixedLengthStream expects its length as a non-negative integer, but got ${typeof value === "number" ? value : typeof value}.`,
    );
  }
  return length;
}

/**
 * Workers' `new FixedLengthStream(length)`: an identity transform of bytes
 * whose readable half declares its length (R2's put() accepts it; a
 * Response made with it has that Content-Length). Writing more bytes, or
 * closing with fewer, errors the stream with workerd's messages.
 */
export class FixedLengthStream extends TransformStream<ArrayBuffer | ArrayBufferView, Uint8Array> {
  constructor(expectedLength: number | bigint) {
    const length = expectedLengthOf(expectedLength);
    let written = 0;
    super({
      transform(chunk, controller) {
        const bytes = bytesOf(chunk);
        // Thrown: the write rejects and the readable half errors with it.
        if (bytes === undefined) throw new TypeError(NOT_BYTES);
        written += bytes.byteLength;
        if (written > length) throw new TypeError(TOO_MANY);
        controller.enqueue(bytes);
      },
      flush() {
        if (written < length) throw new TypeError(TOO_FEW);
      },
    });
    markSized(this.readable);
  }
}

type BodyOwner = abstract new (...args: never[]) => { readonly body: ReadableStream | null };

/** Prototypes whose `body` getter marks what it returns, once per process. */
const marked = processSharedWeakSet<object>("sizedBodies");

/**
 * Makes every body stream of `classes` (the realm's Request and Response)
 * known-length, as workerd's request and response bodies are: the platform's
 * `body` getter wrapped to mark what it returns.
 */
export function markBodiesSized(classes: readonly (BodyOwner | undefined)[]): void {
  for (const owner of classes) {
    const prototype = owner?.prototype as object | undefined;
    if (prototype === undefined || marked.has(prototype)) continue;
    marked.add(prototype);
    const descriptor = Object.getOwnPropertyDescriptor(prototype, "body");
    const get = descriptor?.get;
    if (get === undefined) continue;
    Object.defineProperty(prototype, "body", {
      ...descriptor,
      get: processMarkingGetter(get, sized),
    });
  }
}
