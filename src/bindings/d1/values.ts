import type { DriverValue } from "../../sql/driver.js";

/**
 * Values as the D1 binding passes them, over JSON in production: numbers and
 * strings as they are, booleans as 1 and 0, null, and bytes (an ArrayBuffer,
 * a view, or an array of numbers 0-255) as a BLOB. Anything else is refused
 * at bind() with D1's own message; undefined included.
 */
export function toD1Value(value: unknown): DriverValue {
  switch (typeof value) {
    case "number":
    case "string":
      return value;
    case "boolean":
      return value ? 1 : 0;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value) && value.every((byte) => typeof byte === "number" && byte >= 0 && byte < 256)) {
        return Uint8Array.from(value as number[]);
      }
      // Copied now, as production copies at bind(): later changes to the buffer do not reach the query.
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
      // Checked by tag, not instanceof: an ArrayBuffer may come from another realm.
      if (Object.prototype.toString.call(value) === "[object ArrayBuffer]") return new Uint8Array((value as ArrayBuffer).slice(0));
    }
  }
  throw d1TypeError(value);
}

function d1TypeError(value: unknown): Error {
  const type = typeof value;
  let text: string;
  try {
    text = String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  const message = `Type '${type}' not supported for value '${text}'`;
  return new Error(`D1_TYPE_ERROR: ${message}`, { cause: new Error(message) });
}

/** What a D1 result holds: numbers, strings, null, and BLOBs as arrays of byte values (production's JSON form). */
export type D1Value = number | string | null | number[];

/**
 * A result value as D1 returns it: INTEGERs beyond 2^53 (BigInts) as the nearest number, BLOBs (Uint8Arrays, or
 * ArrayBuffers) as byte arrays, and what JSON cannot hold (NaN, ±Infinity) as null.
 */
export function fromResultValue(value: unknown): D1Value {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof ArrayBuffer || (value !== null && typeof value === "object")) {
    return Array.from(new Uint8Array(value as ArrayBuffer));
  }
  return value as D1Value;
}
