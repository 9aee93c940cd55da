/**
 * How many bytes V8's ValueSerializer (format version 15, as workerd writes
 * RPC messages) spends on a value, for the 32 MiB limit: measured as
 * production measures it, not by a guess per type. Small integers are a tag
 * and a zigzag varint; other numbers a tag and 8 bytes; strings a tag, a
 * varint length and one byte per character (two for any character above
 * U+00FF); objects and arrays add a tag and their closing counts.
 */

export const SERIALIZED = {
  /** 0xFF and the version. */
  header: 2,
  /** A back-reference to an object already written: a tag and an id. */
  reference: 2,
  /** A stub, handle or stream: a host-object tag and an index into the message's externals. */
  external: 5,
  /** An object's closing tag and property count. */
  objectEnd: 2,
  /** A Map's or Set's tags and count. */
  collection: 3,
  /** A typed array's tag, subtag, offset, length and flags after its buffer. */
  view: 5,
} as const;

export function varintSize(value: number): number {
  let size = 1;
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) size++;
  return size;
}

/** workerd's V8 compresses pointers: small integers are 31-bit. */
const SMI_MIN = -(2 ** 30);
const SMI_MAX = 2 ** 30 - 1;

export function numberSize(value: number): number {
  if (Number.isInteger(value) && value >= SMI_MIN && value <= SMI_MAX && !Object.is(value, -0)) {
    return 1 + varintSize(value >= 0 ? value * 2 : -value * 2 - 1);
  }
  return 9;
}

// Characters above U+00FF make V8 write the string as two-byte.
const TWO_BYTE = /[\u0100-\uffff]/;

export function stringSize(value: string): number {
  const bytes = TWO_BYTE.test(value) ? value.length * 2 : value.length;
  return 1 + varintSize(bytes) + bytes;
}

export function bigintSize(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  const digits = magnitude === 0n ? 0 : Math.ceil(magnitude.toString(16).length / 16);
  return 1 + varintSize(digits * 16 + 1) + digits * 8;
}
