// One KV value as the backend stores it: the value's bytes with its
// expiration and metadata in front, so a get or a list reads one record.
//
//   f64 expiration (ms since the epoch; 0: none) | u32 metadata length (0xffffffff: none) | metadata JSON | value

const HEADER = 12;
const NO_METADATA = 0xffffffff;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface KvEntry {
  /** When it expires, ms since the epoch; undefined: never. */
  readonly expiration: number | undefined;
  /** The metadata as JSON text; undefined: none. */
  readonly metadata: string | undefined;
  readonly value: Uint8Array;
}

export function encodeEntry(value: Uint8Array, expiration: number | undefined, metadataJson: string | undefined): Uint8Array {
  const metadata = metadataJson === undefined ? undefined : encoder.encode(metadataJson);
  const bytes = new Uint8Array(HEADER + (metadata?.byteLength ?? 0) + value.byteLength);
  const view = new DataView(bytes.buffer);
  view.setFloat64(0, expiration ?? 0);
  view.setUint32(8, metadata === undefined ? NO_METADATA : metadata.byteLength);
  if (metadata !== undefined) bytes.set(metadata, HEADER);
  bytes.set(value, HEADER + (metadata?.byteLength ?? 0));
  return bytes;
}

export function decodeEntry(bytes: Uint8Array): KvEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expiration = view.getFloat64(0);
  const metadataLength = view.getUint32(8);
  const hasMetadata = metadataLength !== NO_METADATA;
  const valueStart = HEADER + (hasMetadata ? metadataLength : 0);
  return {
    expiration: expiration === 0 ? undefined : expiration,
    metadata: hasMetadata ? decoder.decode(bytes.subarray(HEADER, valueStart)) : undefined,
    value: bytes.subarray(valueStart),
  };
}

/** The expiration alone, without decoding the rest (list() and get() skip expired entries). */
export function entryExpiration(bytes: Uint8Array): number | undefined {
  const expiration = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(0);
  return expiration === 0 ? undefined : expiration;
}

/** Whether an entry has expired at `now` (the runtime's clock, read by the caller at call time). */
export function expired(bytes: Uint8Array, now: number): boolean {
  const expiration = entryExpiration(bytes);
  return expiration !== undefined && expiration <= now;
}
