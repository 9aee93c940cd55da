import { nodeCrypto } from "../base/node-crypto.js";
import { sha256 } from "../base/sha256.js";

const HEX_ID = /^[0-9a-fA-F]{64}$/;
const TAG_BYTES = 8;

/** Production's jurisdictions; anything else is refused, as in production. */
export const JURISDICTIONS = ["eu", "fedramp", "fedramp-high", "us"] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

export function checkJurisdiction(jurisdiction: unknown, caller: string): void {
  if (jurisdiction === undefined) return;
  if (!(JURISDICTIONS as readonly unknown[]).includes(jurisdiction)) {
    throw new TypeError(
      `${caller} called with an unsupported jurisdiction: ${JSON.stringify(jurisdiction)}. ` +
        `Supported jurisdictions are ${JURISDICTIONS.map((j) => `"${j}"`).join(", ")}.`,
    );
  }
}

const kNamespace = Symbol("durabox.namespace");

/**
 * A Durable Object id: 32 bytes, shown as 64 hex digits. The last 8 bytes tag
 * the namespace (the first 8 bytes of SHA-256 of its identity), which is how
 * an id string from another namespace is recognised and refused.
 */
export class DurableObjectId {
  readonly #hex: string;
  readonly name?: string;
  readonly jurisdiction?: string;
  /** @internal The identity of the namespace this id belongs to. */
  readonly [kNamespace]: string;

  /** @internal Ids are made by a namespace: idFromName, idFromString, newUniqueId. */
  constructor(namespace: string, hex: string, name?: string, jurisdiction?: string) {
    this[kNamespace] = namespace;
    this.#hex = hex;
    if (name !== undefined) this.name = name;
    if (jurisdiction !== undefined) this.jurisdiction = jurisdiction;
  }

  toString(): string {
    return this.#hex;
  }

  equals(other: DurableObjectId): boolean {
    return other instanceof DurableObjectId && other.#hex === this.#hex;
  }

  toJSON(): string {
    return this.#hex;
  }
}

export function namespaceOf(id: DurableObjectId): string {
  return id[kNamespace];
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** Makes and checks the ids of one namespace. */
export class IdFactory {
  readonly #tag: Uint8Array;
  readonly #tagHex: string;

  constructor(readonly namespace: string) {
    this.#tag = sha256(namespace).subarray(0, TAG_BYTES);
    this.#tagHex = hex(this.#tag);
  }

  /** Byte 0 is 0 (named ids never are), then 8 bytes of time, then randomness. */
  newUniqueId(jurisdiction?: string): DurableObjectId {
    const bytes = new Uint8Array(32);
    new DataView(bytes.buffer).setBigUint64(1, BigInt(Date.now()));
    nodeCrypto().getRandomValues(bytes.subarray(9, 32 - TAG_BYTES));
    bytes.set(this.#tag, 32 - TAG_BYTES);
    return new DurableObjectId(this.namespace, hex(bytes), undefined, jurisdiction);
  }

  /** SHA-256 of the namespace identity and the name, first bit forced to 1. */
  idFromName(name: string, jurisdiction?: string): DurableObjectId {
    const bytes = sha256(`${this.namespace}\u0000${name}`);
    bytes[0]! |= 0x80;
    bytes.set(this.#tag, 32 - TAG_BYTES);
    return new DurableObjectId(this.namespace, hex(bytes), name, jurisdiction);
  }

  idFromString(hexId: string): DurableObjectId {
    if (typeof hexId !== "string" || !HEX_ID.test(hexId)) {
      throw new TypeError("Invalid Durable Object ID: must be 64 hex digits");
    }
    const lower = hexId.toLowerCase();
    if (!lower.endsWith(this.#tagHex)) {
      throw new TypeError("Durable Object ID is not valid for this namespace.");
    }
    return new DurableObjectId(this.namespace, lower);
  }

  /** Whether `id` was made for this namespace. */
  owns(id: unknown): id is DurableObjectId {
    return id instanceof DurableObjectId && namespaceOf(id) === this.namespace && id.toString().endsWith(this.#tagHex);
  }
}
