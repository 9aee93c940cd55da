import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as v8 from "node:v8";
import { deserialize, serialize } from "../../src/storage/codec.js";

const v8Serialize = (value: unknown): Uint8Array => {
  const serializer = new v8.Serializer();
  serializer.writeHeader();
  serializer.writeValue(value);
  return serializer.releaseBuffer();
};
const v8Deserialize = (bytes: Uint8Array): unknown => {
  const deserializer = new v8.Deserializer(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
};

describe("codec", () => {
  it("round-trips any JSON-like value, and V8 reads what it writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.double(), fc.integer(), fc.string({ unit: "binary" }), (json, double, int, text) => {
        for (const value of [json, double, int, text, -0, 2 ** 31, -(2 ** 31), 2 ** 30]) {
          const bytes = serialize(value);
          expect(deserialize(bytes)).toEqual(value);
          expect(v8Deserialize(bytes)).toEqual(value);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("reads what V8 writes, including two-byte strings", () => {
    for (const value of ["€", "a€", "😀", "é", 1.5, -7, true, null, { a: [1, "x"] }, new Map([[1, 2]])]) {
      expect(deserialize(v8Serialize(value))).toEqual(value);
    }
  });

  it("keeps -0 and NaN", () => {
    expect(Object.is(deserialize(serialize(-0)), -0)).toBe(true);
    expect(deserialize(serialize(NaN))).toBeNaN();
  });
});

describe("codec errors", () => {
  it("rethrows a throwing getter's own error, as V8's structured clone and production do", () => {
    const own = new RangeError("getter says no");
    const value = {
      get x(): number {
        throw own;
      },
    };
    expect(() => structuredClone(value)).toThrow(own);
    expect(() => serialize(value)).toThrow(own);
    expect(() => serialize({ nested: [value] })).toThrow(own);
  });

  it("refuses what cannot be cloned with a DataCloneError naming it", () => {
    for (const [value, message] of [
      [() => 1, "() => 1 could not be cloned."],
      [Symbol("s"), "Symbol(s) could not be cloned."],
      [{ a: new WeakMap() }, "#<WeakMap> could not be cloned."],
      [new SharedArrayBuffer(1), "#<SharedArrayBuffer> could not be cloned."],
    ] as const) {
      const error = (() => {
        try {
          serialize(value);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(DOMException);
      expect(error).toMatchObject({ name: "DataCloneError", message });
    }
  });
});
