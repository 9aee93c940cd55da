import { Deserializer, Serializer } from "node:v8";

/**
 * Node's V8 (de)serializer is a binding of the main realm: what it makes
 * (objects, arrays, Dates, Maps, errors) belongs to the main realm, even when
 * durabox itself runs inside another vm context (Jest runs each test file in
 * one). There `value instanceof Date` would fail in the test. When this code
 * runs in such a context, `rehome` rebuilds values with this realm's
 * constructors; in the main realm it is never called.
 */
function probe(): unknown {
  const serializer = new Serializer();
  serializer.writeHeader();
  // An empty object written as raw bytes ('o', '{', 0 properties), not writeValue({}):
  // a Serializer keeps what it was given until it is itself collected, and an
  // object of this realm would keep the realm (a whole test file's context)
  // alive through one more full GC than it needs.
  serializer.writeRawBytes(Uint8Array.of(0x6f, 0x7b, 0x00));
  const deserializer = new Deserializer(serializer.releaseBuffer());
  deserializer.readHeader();
  return deserializer.readValue();
}

export const foreignRealm = Object.getPrototypeOf(probe()) !== Object.prototype;

const realmGlobals = globalThis as unknown as Record<string, unknown>;
const tagOf = (value: object): string => Object.prototype.toString.call(value).slice(8, -1);

/** `value`, deeply rebuilt from the main realm's constructors to this realm's. */
export function rehome<T>(value: T, seen = new Map<unknown, unknown>()): T {
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return seen.get(value) as T;
  const object = value as unknown as object;
  const tag = tagOf(object);
  let copy: unknown;
  if (Array.isArray(object)) {
    const array: unknown[] = [];
    seen.set(value, array);
    for (let i = 0; i < object.length; i++) if (i in object) array[i] = rehome(object[i], seen);
    return array as T;
  }
  switch (tag) {
    case "Date":
      copy = new Date(Date.prototype.getTime.call(object));
      break;
    case "RegExp": {
      const regexp = object as RegExp;
      copy = new RegExp(regexp.source, regexp.flags);
      break;
    }
    case "Map": {
      const map = new Map();
      seen.set(value, map);
      for (const [k, v] of Map.prototype.entries.call(object)) map.set(rehome(k, seen), rehome(v, seen));
      return map as T;
    }
    case "Set": {
      const set = new Set();
      seen.set(value, set);
      for (const v of Set.prototype.values.call(object)) set.add(rehome(v, seen));
      return set as T;
    }
    case "Boolean":
    case "Number":
    case "String":
    case "BigInt":
      copy = Object((object as { valueOf(): unknown }).valueOf());
      break;
    case "Error":
      copy = rehomeError(object as Error, seen);
      break;
    case "ArrayBuffer":
      copy = object instanceof ArrayBuffer ? object : new Uint8Array(new Uint8Array(object as ArrayBuffer)).buffer;
      break;
    default: {
      const Ctor = realmGlobals[tag] as (new (buffer: ArrayBufferLike, offset: number, length: number) => object) | undefined;
      if (ArrayBuffer.isView(object)) {
        if (Ctor === undefined || object instanceof Ctor) return value;
        const view = object as unknown as { buffer: ArrayBufferLike; byteOffset: number; byteLength: number; length?: number };
        const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
        copy = tag === "DataView" ? new DataView(bytes.buffer) : new Ctor(bytes.buffer, 0, view.length ?? view.byteLength);
        break;
      }
      if (tag !== "Object") return value;
      const plain: Record<string, unknown> = {};
      seen.set(value, plain);
      for (const key of Object.keys(object)) plain[key] = rehome((object as Record<string, unknown>)[key], seen);
      return plain as T;
    }
  }
  seen.set(value, copy);
  return copy as T;
}

function rehomeError(error: Error, seen: Map<unknown, unknown>): Error {
  const Ctor = realmGlobals[error.name];
  const prototype = typeof Ctor === "function" && Ctor.prototype instanceof Error ? (Ctor.prototype as object) : Error.prototype;
  const copy = Object.create(prototype) as Error;
  seen.set(error, copy);
  for (const key of Object.getOwnPropertyNames(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key)!;
    if ("value" in descriptor) descriptor.value = rehome(descriptor.value, seen);
    Object.defineProperty(copy, key, descriptor);
  }
  return copy;
}
