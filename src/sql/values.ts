import type { DriverValue } from "./driver.js";

/** What SQL results hold in production (workers-types SqlStorageValue). */
export type SqlStorageValue = ArrayBuffer | string | number | null;

/** Turns bytes a driver returned into an ArrayBuffer of the caller's realm. */
export type ToArrayBuffer = (bytes: Uint8Array) => ArrayBuffer;

/**
 * The default: a fresh ArrayBuffer made by this module's realm. Under Jest
 * durabox is evaluated in the test's realm, so this already is the test's
 * ArrayBuffer; a caller running elsewhere passes its own.
 */
export const defaultToArrayBuffer: ToArrayBuffer = (bytes) => {
  const buffer = bytes.buffer;
  // A driver hands out a fresh buffer per value: reuse it when it is exactly this value and of this realm.
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer;
  return new Uint8Array(bytes).buffer;
};

const tagOf = (value: object): string => Object.prototype.toString.call(value);

/**
 * A binding as production converts it (workerd api/sql.h BindingValue:
 * bytes, string or double): ArrayBuffers and views bind as BLOBs, numbers as
 * REALs, null and undefined as NULL, and anything else by its string form
 * (`true` binds as 'true'); a BigInt is V8's TypeError, as production's
 * conversion to a double (jsg `ToNumber`) throws it.
 */
export function toDriverValue(value: unknown): DriverValue {
  switch (typeof value) {
    case "string":
    case "number":
      return value;
    case "undefined":
      return null;
    case "bigint":
      throw new TypeError("Cannot convert a BigInt value to a number");
    case "symbol":
      throw new TypeError("Cannot convert a Symbol value to a string");
    case "object": {
      if (value === null) return null;
      if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      // Checked by tag, not instanceof: an ArrayBuffer may come from another realm.
      if (tagOf(value) === "[object ArrayBuffer]") return new Uint8Array(value as ArrayBuffer);
      return String(value);
    }
    default:
      return String(value);
  }
}

/** A driver's result value as production returns it: integers as numbers, BLOBs as ArrayBuffers. */
export function fromDriverValue(value: unknown, toArrayBuffer: ToArrayBuffer): SqlStorageValue {
  if (typeof value === "bigint") return Number(value);
  if (value !== null && typeof value === "object" && ArrayBuffer.isView(value)) {
    const view = value as Uint8Array;
    return toArrayBuffer(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  return value as SqlStorageValue;
}

/** Whether a bound value breaks SQLite's length limit (UTF-8 bytes of text, bytes of a BLOB). */
export function longerThan(value: DriverValue, limit: number): boolean {
  if (typeof value === "string") {
    // Each UTF-16 unit is at most 3 UTF-8 bytes: most strings are ruled out without measuring.
    return value.length * 3 > limit && (value.length > limit || Buffer.byteLength(value, "utf8") > limit);
  }
  return value instanceof Uint8Array && value.byteLength > limit;
}
