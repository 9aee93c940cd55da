// One cached response as the backend stores it: its status, headers, expiry
// and the request headers its Vary names, as JSON, then the body's bytes.
//
//   u32 JSON length | JSON | body

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface CachedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: readonly (readonly [string, string])[];
  /** ms since the epoch. */
  readonly expires: number;
  /** Each header Vary names, lower-case, with the value the request that put it had (null: absent). */
  readonly vary: readonly (readonly [string, string | null])[];
}

export function encodeCached(response: CachedResponse, body: Uint8Array): Uint8Array {
  const head = encoder.encode(JSON.stringify(response));
  const bytes = new Uint8Array(4 + head.byteLength + body.byteLength);
  new DataView(bytes.buffer).setUint32(0, head.byteLength);
  bytes.set(head, 4);
  bytes.set(body, 4 + head.byteLength);
  return bytes;
}

export function decodeCached(bytes: Uint8Array): { response: CachedResponse; body: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const response = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as CachedResponse;
  return { response, body: bytes.subarray(4 + length) };
}
