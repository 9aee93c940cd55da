import { types } from "node:util";
import { RpcTarget } from "./classes.js";
import type { RpcCompatibility } from "./compatibility.js";
import type { CallHost } from "./context.js";
import { copyErrorValue } from "./error-copy.js";
import { cannotClone, cannotSerialize, MAX_RPC_MESSAGE_SIZE, proxyNotReceiver, tooLarge } from "./messages.js";
import { isPlainPrototype } from "./receiver.js";
import { bigintSize, numberSize, SERIALIZED, stringSize, varintSize } from "./serialized-size.js";
import { pendingType, refusal, rpcRealm, type StubState } from "./registry.js";
import { copyHeaders, transferReadable, transferRequest, transferResponse, transferWritable } from "./streams.js";
import { ExportedTarget, type TargetRef } from "./target.js";

/**
 * The RPC value codec: what the receiver of arguments or a result gets.
 * Structured-clonable values are copied (in this realm, so `instanceof`
 * holds for the code receiving them); RpcTarget instances and functions
 * become stubs calling back to the sender's host; stubs become new stubs to
 * the same target; Durable Object stubs and service bindings pass as
 * themselves; streams, Request, Response and Headers move to the receiver.
 * Instances of other classes are refused as production refuses them.
 */
export interface Transfer {
  /** Where what is sent by reference lives: calls back run there. */
  readonly host: CallHost;
  /** Makes the receiver's stub to a target. */
  readonly stubFor: (target: TargetRef) => object;
  /** The stubs made for the receiver: disposed with the result, or when the call returns (arguments). */
  readonly stubs: StubState[];
  /** The stubs of the sender's that were sent (each duplicated for the receiver). */
  readonly sentStubs?: StubState[];
  /** The compatibility settings the copy follows (errors' form). */
  readonly rpc: RpcCompatibility;
  /** Nothing goes by reference (a thrown error's properties, which workerd serialises without stubs): functions and targets are refused. */
  readonly byValueOnly?: boolean;
}

const realm = globalThis as unknown as Record<string, unknown>;
const tagOf = (value: object): string => Object.prototype.toString.call(value).slice(8, -1);

/** Index keys of an array (canonical numeric strings below 2^32 - 1), as V8 tells them from named ones. */
const INDEX = /^(0|[1-9]\d*)$/;
const isIndex = (key: string): boolean => {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && INDEX.test(key) && Number(key) < 2 ** 32 - 1;
};

class Copier {
  readonly #transfer: Transfer;
  readonly #seen = new Map<unknown, unknown>();
  /** The bytes V8's serializer would write for what was copied so far (serialized-size.ts). */
  size = SERIALIZED.header;

  constructor(transfer: Transfer) {
    this.#transfer = transfer;
  }

  copy(value: unknown): unknown {
    switch (typeof value) {
      case "string":
        this.size += stringSize(value);
        return value;
      case "number":
        this.size += numberSize(value);
        return value;
      case "boolean":
      case "undefined":
        this.size += 1;
        return value;
      case "bigint":
        this.size += bigintSize(value);
        return value;
      case "symbol":
        throw cannotClone(String(value));
      case "function": {
        // A callable that cannot be sent (a ctx.exports loopback stub) is refused as production refuses it.
        const refused = refusal(value);
        if (refused !== undefined) throw new DOMException(refused, "DataCloneError");
        return this.#byReference(value);
      }
    }
    if (value === null) {
      this.size += 1;
      return null;
    }
    const object = value as object;
    if (this.#seen.has(object)) {
      this.size += SERIALIZED.reference;
      return this.#seen.get(object);
    }
    return this.#object(object);
  }

  /** An own property: `__proto__` defined, not assigned, so it stays a key and never becomes the copy's prototype. */
  #property(target: Record<string, unknown>, key: string, value: unknown): void {
    this.size += isIndex(key) ? numberSize(Number(key)) : stringSize(key);
    const copy = this.copy(value);
    if (key === "__proto__") Object.defineProperty(target, key, { value: copy, writable: true, enumerable: true, configurable: true });
    else target[key] = copy;
  }

  /**
   * An array as V8 serializes it: densely while every index up to the
   * length holds an element; from the first hole, by its own enumerable
   * keys (a sparse array of length 2^32 - 1 costs its few keys, not its
   * length), named properties included.
   */
  #array(source: unknown[]): unknown[] {
    const length = source.length;
    const array: unknown[] = new Array(length);
    this.#seen.set(source, array);
    this.size += 1 + varintSize(length) * 2 + 2;
    let i = 0;
    for (; i < length && i in source; i++) array[i] = this.copy(source[i]);
    if (i === length) return array;
    for (const key of Object.keys(source)) {
      if (isIndex(key) && Number(key) < i) continue;
      this.#property(array as unknown as Record<string, unknown>, key, (source as unknown as Record<string, unknown>)[key]);
    }
    return array;
  }

  /**
   * A Proxy, as workerd's RPC serializer takes it (serializeProxy): a stub
   * when its prototype chain presents a plain object or an RpcTarget (or it
   * is callable), refused otherwise; its traps run where it lives.
   */
  #proxy(proxy: object): unknown {
    const proto = Object.getPrototypeOf(proxy) as object | null;
    if (isPlainPrototype(proto)) return this.#byReference(proxy);
    for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
      if (p === RpcTarget.prototype) return this.#byReference(proxy);
    }
    throw proxyNotReceiver();
  }

  #byReference(value: object): unknown {
    this.size += SERIALIZED.external;
    const pending = pendingType(value);
    if (pending !== undefined) throw cannotSerialize(pending);
    if (this.#transfer.byValueOnly === true) throw cannotClone(typeof value === "function" ? "function" : "RpcTarget");
    if (this.#seen.has(value)) return this.#seen.get(value);
    const stub = rpcRealm.stubs.get(value);
    if (stub !== undefined) this.#transfer.sentStubs?.push(stub);
    const copy = stub !== undefined ? stub.dup() : this.#transfer.stubFor(new ExportedTarget(value, this.#transfer.host));
    this.#transfer.stubs.push(rpcRealm.stubs.get(copy)!);
    this.#seen.set(value, copy);
    return copy;
  }

  #object(object: object): unknown {
    if (rpcRealm.stubs.has(object)) return this.#byReference(object);
    if (rpcRealm.handles.has(object)) {
      this.size += SERIALIZED.external;
      return object;
    }
    const refused = refusal(object);
    if (refused !== undefined) throw new DOMException(refused, "DataCloneError");
    // RPC promises and properties are proxies of durabox's own: pendingType refuses them by name.
    if (types.isProxy(object) && pendingType(object) === undefined) return this.#proxy(object);
    if (object instanceof RpcTarget) return this.#byReference(object);
    if (Array.isArray(object)) return this.#array(object);
    const proto = Object.getPrototypeOf(object) as object | null;
    const tag = tagOf(object);
    if (proto !== null && Object.getPrototypeOf(proto) === null && tag === "Object") {
      const plain: Record<string, unknown> = {};
      this.#seen.set(object, plain);
      this.size += 1 + SERIALIZED.objectEnd;
      for (const key of Object.keys(object)) this.#property(plain, key, (object as Record<string, unknown>)[key]);
      return plain;
    }
    // By tag first: on Node 22+ reading the global Request, Response or Headers at all loads Node's fetch
    // implementation (base/platform-globals.ts), which a value that is none of them must not cost.
    switch (tag) {
      case "ReadableStream":
        if (object instanceof ReadableStream) return this.#keep(object, transferReadable(object));
        break;
      case "WritableStream":
        if (object instanceof WritableStream) return this.#keep(object, transferWritable(object));
        break;
      case "Request":
        if (object instanceof Request) return this.#keep(object, transferRequest(object));
        break;
      case "Response":
        if (object instanceof Response) return this.#keep(object, transferResponse(object));
        break;
      case "Headers":
        if (object instanceof Headers) return this.#keep(object, copyHeaders(object));
        break;
    }
    return this.#builtIn(object, tag, proto);
  }

  #keep<T>(original: object, copy: T): T {
    this.#seen.set(original, copy);
    return copy;
  }

  #builtIn(object: object, tag: string, proto: object | null): unknown {
    switch (tag) {
      case "Date":
        this.size += 9;
        return this.#keep(object, new Date(Date.prototype.getTime.call(object)));
      case "RegExp": {
        const regexp = object as RegExp;
        this.size += 1 + stringSize(regexp.source) + 1;
        return this.#keep(object, new RegExp(regexp.source, regexp.flags));
      }
      case "Map": {
        const map = new Map();
        this.#seen.set(object, map);
        this.size += SERIALIZED.collection;
        for (const [k, v] of Map.prototype.entries.call(object)) map.set(this.copy(k), this.copy(v));
        return map;
      }
      case "Set": {
        const set = new Set();
        this.#seen.set(object, set);
        this.size += SERIALIZED.collection;
        for (const v of Set.prototype.values.call(object)) set.add(this.copy(v));
        return set;
      }
      case "Boolean":
      case "Number":
      case "String":
      case "BigInt": {
        const primitive = (object as { valueOf(): unknown }).valueOf();
        this.size +=
          1 + (typeof primitive === "string" ? stringSize(primitive) : typeof primitive === "bigint" ? bigintSize(primitive) : 8);
        return this.#keep(object, Object(primitive));
      }
      case "Error":
        return this.#keep(
          object,
          copyErrorValue(object, this.#transfer.rpc.enhancedErrors, (v) => this.copy(v)),
        );
      case "ArrayBuffer": {
        const bytes = new Uint8Array(object as ArrayBuffer);
        this.size += 1 + varintSize(bytes.byteLength) + bytes.byteLength;
        return this.#keep(object, bytes.slice().buffer);
      }
    }
    if (ArrayBuffer.isView(object)) {
      const view = object as ArrayBufferView & { length?: number };
      // The buffer (only the view's bytes are copied), then the view's tag, type, offset, length and flags.
      this.size += 1 + varintSize(view.byteLength) + view.byteLength + SERIALIZED.view;
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
      const Ctor = realm[tag] as new (buffer: ArrayBufferLike, offset: number, length: number) => object;
      return this.#keep(
        object,
        tag === "DataView" ? new DataView(bytes.buffer) : new Ctor(bytes.buffer, 0, view.length ?? view.byteLength),
      );
    }
    if (object instanceof DOMException)
      return this.#keep(
        object,
        copyErrorValue(object, this.#transfer.rpc.enhancedErrors, (v) => this.copy(v)),
      );
    const name = proto === null ? "Object" : ((proto.constructor as { name?: unknown } | undefined)?.name ?? tag);
    throw cannotSerialize(typeof name === "string" && name !== "" ? name : tag);
  }
}

/** The receiver's copy of `value` (arguments or a result). Throws production's DataCloneError or size error. */
/**
 * An upper bound of the serialized size of a primitive the copy returns as
 * it is (a string, a number, a boolean, undefined or null; two bytes per
 * character), or -1 for anything else (objects, functions; symbols and
 * bigints, which the copier refuses or sizes exactly).
 */
function asIsBound(value: unknown): number {
  switch (typeof value) {
    case "string":
      return 6 + 2 * value.length;
    case "number":
    case "boolean":
    case "undefined":
      return 9;
    default:
      return value === null ? 1 : -1;
  }
}

/** Whether `value` needs no copier: a primitive passed as it is, surely within the size limit (else it is copied and checked exactly). */
export function copiesAsIs(value: unknown): boolean {
  const bound = asIsBound(value);
  return bound >= 0 && SERIALIZED.header + bound <= MAX_RPC_MESSAGE_SIZE;
}

/** Whether every value copies as it is, together within the size limit: such arguments (an array of them) need no copier. */
export function allCopyAsIs(values: readonly unknown[]): boolean {
  // The array's tag, and its length and closing count (varints of at most 5 bytes each).
  let total = SERIALIZED.header + 11;
  for (const value of values) {
    const bound = asIsBound(value);
    if (bound < 0) return false;
    total += bound;
  }
  return total <= MAX_RPC_MESSAGE_SIZE;
}

export function copyValue<T>(value: T, transfer: Transfer): T {
  const copier = new Copier(transfer);
  try {
    const copy = copier.copy(value);
    if (copier.size > MAX_RPC_MESSAGE_SIZE) throw tooLarge(copier.size);
    return copy as T;
  } catch (error) {
    // Nothing half-sent stays alive.
    for (const stub of transfer.stubs.splice(0)) stub.dispose();
    throw error;
  }
}
