import { Deserializer, Serializer } from "node:v8";
import { foreignRealm, rehome } from "../base/realm.js";

/**
 * Values are stored as V8 serializer output, as in workerd: the plain V8
 * format (not Node's DefaultSerializer, which would turn Uint8Array into
 * Buffer), so a stored Uint8Array comes back as a Uint8Array, Dates as Dates
 * and errors as errors.
 *
 * The commonest values (small integers, numbers, booleans, null, short
 * Latin-1 strings) are written and read here directly, in the same wire
 * format V8 uses, which is several times faster than a Serializer per call;
 * everything else goes through V8.
 */
const VERSION = 0x0f;
const TAG = {
  int32: 0x49, // 'I': zigzag varint
  double: 0x4e, // 'N': float64, little-endian
  oneByteString: 0x22, // '"': varint length, Latin-1 bytes
  twoByteString: 0x63, // 'c': varint byte length, UTF-16LE
  true: 0x54,
  false: 0x46,
  null: 0x30,
  padding: 0x00,
} as const;
const FAST_STRING_MAX = 256;

export function serialize(value: unknown): Uint8Array {
  const fast = serializeFast(value);
  if (fast !== undefined) return fast;
  const serializer = new WorkersSerializer();
  serializer.writeHeader();
  try {
    serializer.writeValue(value);
  } catch (error) {
    // A SharedArrayBuffer is refused on a path that skips the hook below.
    if (error instanceof Error && error.name === "Error" && error.message.endsWith(" could not be cloned.")) {
      throw new DOMException(error.message, "DataCloneError");
    }
    // Anything else is the value's own error (a throwing getter): production rethrows it as is.
    throw error;
  }
  return serializer.releaseBuffer();
}

/**
 * V8 asks the serializer for the error to throw for a value it cannot clone
 * (Node's default makes a plain Error): the platform's structured clone, and
 * production, throw a DataCloneError DOMException with V8's message.
 */
class WorkersSerializer extends Serializer {
  _getDataCloneError(message: string): Error {
    return new DOMException(message, "DataCloneError");
  }
}

export function deserialize(bytes: Uint8Array): unknown {
  const fast = deserializeFast(bytes);
  if (fast !== NOT_FAST) return fast;
  const deserializer = new Deserializer(bytes);
  deserializer.readHeader();
  const value: unknown = deserializer.readValue();
  // Inside a test runner's vm context, V8 builds values in the main realm.
  return foreignRealm ? rehome(value) : value;
}

const scratch = new DataView(new ArrayBuffer(8));

function serializeFast(value: unknown): Uint8Array | undefined {
  switch (typeof value) {
    case "number": {
      if ((value | 0) === value && !Object.is(value, -0)) {
        const bytes = [0xff, VERSION, TAG.int32];
        let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
        while (zigzag >= 0x80) {
          bytes.push((zigzag & 0x7f) | 0x80);
          zigzag >>>= 7;
        }
        bytes.push(zigzag);
        return Uint8Array.from(bytes);
      }
      const out = new Uint8Array(11);
      out[0] = 0xff;
      out[1] = VERSION;
      out[2] = TAG.double;
      scratch.setFloat64(0, value, true);
      out.set(new Uint8Array(scratch.buffer), 3);
      return out;
    }
    case "string": {
      if (value.length > FAST_STRING_MAX) return undefined;
      for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return undefined;
      const header = [0xff, VERSION, TAG.oneByteString];
      let length = value.length;
      while (length >= 0x80) {
        header.push((length & 0x7f) | 0x80);
        length >>>= 7;
      }
      header.push(length);
      const out = new Uint8Array(header.length + value.length);
      out.set(header);
      for (let i = 0; i < value.length; i++) out[header.length + i] = value.charCodeAt(i);
      return out;
    }
    case "boolean":
      return Uint8Array.of(0xff, VERSION, value ? TAG.true : TAG.false);
    case "object":
      return value === null ? Uint8Array.of(0xff, VERSION, TAG.null) : undefined;
    default:
      return undefined;
  }
}

const NOT_FAST = Symbol("not fast");
const latin1 = new TextDecoder("latin1");
const utf16 = new TextDecoder("utf-16le");

function deserializeFast(bytes: Uint8Array): unknown {
  if (bytes.length < 3 || bytes[0] !== 0xff) return NOT_FAST;
  let at = 2;
  while (bytes[at] === TAG.padding) at++;
  const tag = bytes[at++];
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };
  switch (tag) {
    case TAG.int32: {
      const zigzag = readVarint();
      return at === bytes.length ? (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2) : NOT_FAST;
    }
    case TAG.double:
      if (at + 8 !== bytes.length) return NOT_FAST;
      return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getFloat64(0, true);
    case TAG.oneByteString: {
      const length = readVarint();
      if (at + length !== bytes.length) return NOT_FAST;
      return latin1.decode(bytes.subarray(at, at + length));
    }
    case TAG.twoByteString: {
      const length = readVarint();
      if (at + length !== bytes.length) return NOT_FAST;
      return utf16.decode(bytes.subarray(at, at + length));
    }
    case TAG.true:
      return at === bytes.length ? true : NOT_FAST;
    case TAG.false:
      return at === bytes.length ? false : NOT_FAST;
    case TAG.null:
      return at === bytes.length ? null : NOT_FAST;
    default:
      return NOT_FAST;
  }
}
