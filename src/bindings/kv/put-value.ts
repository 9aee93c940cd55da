import { MAX_VALUE_BYTES, valueTooLarge } from "./limits.js";

const UNSUPPORTED = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.";

/**
 * What put() may store: a string, kept as one until it is written (other
 * primitives are converted to one, as the runtime's string parameter does),
 * bytes from an ArrayBuffer or view
 * (copied now, so later changes to it do not leak in), or a ReadableStream
 * (read to the end, refused once past the limit). Anything else is the
 * runtime's TypeError.
 */
export function putValue(value: unknown): string | Uint8Array | Promise<Uint8Array> {
  if (typeof value === "string") return checkedString(value);
  let bytes: Uint8Array;
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value.slice(0));
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  else if (isReadableStream(value)) return readStream(value);
  else if (value !== null && (typeof value === "object" || typeof value === "function")) throw new TypeError(UNSUPPORTED);
  else return checkedString(String(value));
  if (bytes.byteLength > MAX_VALUE_BYTES) throw valueTooLarge(bytes.byteLength);
  return bytes;
}

function checkedString(value: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most strings need no counting.
  if (value.length * 3 > MAX_VALUE_BYTES) {
    const length = Buffer.byteLength(value);
    if (length > MAX_VALUE_BYTES) throw valueTooLarge(length);
  }
  return value;
}

function isReadableStream(value: unknown): value is ReadableStream<unknown> {
  return typeof (value as ReadableStream | null)?.getReader === "function" && typeof (value as ReadableStream).tee === "function";
}

async function readStream(stream: ReadableStream<unknown>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array) && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
      await reader.cancel().catch(() => {});
      // The runtime's words when a stream it pumps yields something other than bytes.
      throw new TypeError("This ReadableStream did not return bytes.");
    }
    const chunk = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    length += chunk.byteLength;
    // Keep counting past the limit (without keeping the bytes) so the error names the full length, as production's does.
    if (length <= MAX_VALUE_BYTES) chunks.push(chunk.slice());
  }
  if (length > MAX_VALUE_BYTES) throw valueTooLarge(length);
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
