// A message body in each content type workerd sends: what `send()` accepts for it (workerd's
// TypeErrors) and the bytes the queue keeps, and the value a consumer reads back.
import { deserialize, serialize } from "../../storage/codec.js";

export const CONTENT_TYPES = ["text", "bytes", "json", "v8"] as const;
export type QueueContentType = (typeof CONTENT_TYPES)[number];

/** A content type as `send()` reads it: case-insensitive, else workerd's TypeError. */
export function contentTypeOf(value: unknown): QueueContentType {
  const lower = String(value).toLowerCase();
  if ((CONTENT_TYPES as readonly string[]).includes(lower)) return lower as QueueContentType;
  throw new TypeError(`Unsupported queue message content type: ${String(value)}`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function typeOf(value: unknown): string {
  return value === null ? "object" : typeof value;
}

/** The bytes a message body is sent as. */
export function encodeBody(body: unknown, contentType: QueueContentType): Uint8Array {
  if (body === undefined) throw new TypeError("Message body cannot be undefined");
  switch (contentType) {
    case "text":
      if (typeof body !== "string") {
        throw new TypeError(`Content Type "text" requires a value of type string, but received: ${typeOf(body)}`);
      }
      return encoder.encode(body);
    case "bytes":
      if (!ArrayBuffer.isView(body)) {
        throw new TypeError(`Content Type "bytes" requires a value of type ArrayBufferView, but received: ${typeOf(body)}`);
      }
      return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
    case "json": {
      const text = JSON.stringify(body);
      if (text === undefined) throw new TypeError(`Content Type "json" requires a value JSON can represent, but received: ${typeOf(body)}`);
      return encoder.encode(text);
    }
    case "v8":
      return serialize(body);
  }
}

/** The value a consumer reads: text a string, bytes an ArrayBuffer (as workerd's deserialize() gives them), json parsed, v8 deserialised. */
export function decodeBody(bytes: Uint8Array, contentType: QueueContentType): unknown {
  switch (contentType) {
    case "text":
      return decoder.decode(bytes);
    case "bytes":
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    case "json":
      return JSON.parse(decoder.decode(bytes)) as unknown;
    case "v8":
      return deserialize(bytes);
  }
}
