// The arguments of R2Bucket's methods, read as workerd reads them: the same
// coercions, and production's TypeError/RangeError messages where it refuses.
import { typeName } from "../../base/describe.js";
import type { StoredHttpMetadata } from "./records.js";

export type Etag = { readonly type: "wildcard" } | { readonly type: "strong" | "weak"; readonly value: string };

/** An `onlyIf`, from an R2Conditional or from request headers. Times in ms since the epoch. */
export interface Conditions {
  readonly etagMatches?: readonly Etag[];
  readonly etagDoesNotMatch?: readonly Etag[];
  readonly uploadedBefore?: number;
  readonly uploadedAfter?: number;
  /** Header dates have whole seconds: compare at that granularity. */
  readonly secondsGranularity: boolean;
}

/** A requested range, before the object's size is known. */
export type RangeRequest =
  | { readonly kind: "bounds"; readonly offset?: number; readonly length?: number }
  | { readonly kind: "suffix"; readonly suffix: number }
  | { readonly kind: "header"; readonly value: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** An options argument: undefined/null for none, else an object (workerd's dictionary conversion). */
export function optionsObject(value: unknown, struct: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) && typeof value !== "function") {
    throw new TypeError(`Failed to execute the method: parameter is not of type '${struct}' (got ${typeName(value)}).`);
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function dateValue(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const time = value instanceof Date ? value.getTime() : new Date(value as string).getTime();
  return Number.isNaN(time) ? undefined : time;
}

/** `httpMetadata`: an object of fields, or request headers. */
export function httpMetadataOf(value: unknown): StoredHttpMetadata {
  if (value === undefined || value === null) return {};
  if (value instanceof Headers) {
    return withoutUndefined({
      contentType: optionalString(value.get("content-type")),
      contentLanguage: optionalString(value.get("content-language")),
      contentDisposition: optionalString(value.get("content-disposition")),
      contentEncoding: optionalString(value.get("content-encoding")),
      cacheControl: optionalString(value.get("cache-control")),
      cacheExpiry: dateValue(value.get("expires") ?? undefined),
    });
  }
  const fields = optionsObject(value, "R2HTTPMetadata or Headers");
  return withoutUndefined({
    contentType: optionalString(fields.contentType),
    contentLanguage: optionalString(fields.contentLanguage),
    contentDisposition: optionalString(fields.contentDisposition),
    contentEncoding: optionalString(fields.contentEncoding),
    cacheControl: optionalString(fields.cacheControl),
    cacheExpiry: dateValue(fields.cacheExpiry),
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `customMetadata`: string values (others converted, as workerd's dictionary does). */
export function customMetadataOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const fields = optionsObject(value, "Record<string, string>");
  return Object.fromEntries(Object.entries(fields).map(([key, v]) => [key, String(v)]));
}

/** The checksum options, their R2 names and lengths in bytes. */
export const CHECKSUMS = [
  { option: "md5", name: "MD5", bytes: 16 },
  { option: "sha1", name: "SHA-1", bytes: 20 },
  { option: "sha256", name: "SHA-256", bytes: 32 },
  { option: "sha384", name: "SHA-384", bytes: 48 },
  { option: "sha512", name: "SHA-512", bytes: 64 },
] as const;
export type ChecksumSpec = (typeof CHECKSUMS)[number];

/** The one checksum a put names (md5, sha1, sha256, sha384 or sha512), as hex. */
export function checksumOf(options: Record<string, unknown>): { spec: ChecksumSpec; hex: string } | undefined {
  let found: { spec: ChecksumSpec; hex: string } | undefined;
  for (const spec of CHECKSUMS) {
    const value = options[spec.option];
    if (value === undefined || value === null) continue;
    if (found !== undefined) throw new TypeError("You cannot specify multiple hashing algorithms.");
    if (typeof value === "string") {
      if (value.length !== spec.bytes * 2) throw new TypeError(`${spec.name} is ${spec.bytes * 2} hex characters, not ${value.length}`);
      if (!/^[0-9a-f]*$/i.test(value)) throw new TypeError(`Provided ${spec.name} wasn't a valid hex string`);
      found = { spec, hex: value.toLowerCase() };
    } else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      if (bytes.byteLength !== spec.bytes) throw new TypeError(`${spec.name} is ${spec.bytes} bytes, not ${bytes.byteLength}`);
      found = { spec, hex: Buffer.from(bytes).toString("hex") };
    } else {
      throw new TypeError(`${spec.option} must be an ArrayBuffer, an ArrayBufferView or a hex string, got ${typeName(value)}.`);
    }
  }
  return found;
}

/** `onlyIf`: an R2Conditional, or request headers (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since). */
export function conditionsOf(value: unknown): Conditions | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Headers) {
    const ifMatch = value.get("if-match");
    const ifNoneMatch = value.get("if-none-match");
    const since = value.get("if-modified-since");
    const unmodifiedSince = value.get("if-unmodified-since");
    return withoutUndefined({
      etagMatches: ifMatch === null ? undefined : parseEtagHeader(ifMatch),
      etagDoesNotMatch: ifNoneMatch === null ? undefined : parseEtagHeader(ifNoneMatch),
      uploadedAfter: since === null ? undefined : dateValue(since),
      uploadedBefore: unmodifiedSince === null ? undefined : dateValue(unmodifiedSince),
      secondsGranularity: true,
    });
  }
  const fields = optionsObject(value, "R2Conditional or Headers");
  const etag = (field: unknown): Etag[] | undefined => {
    if (field === undefined || field === null) return undefined;
    const text = String(field);
    if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
      throw new TypeError(`Conditional ETag should not be wrapped in quotes (${text}).`);
    }
    return [text === "*" ? { type: "wildcard" } : { type: "strong", value: text }];
  };
  return withoutUndefined({
    etagMatches: etag(fields.etagMatches),
    etagDoesNotMatch: etag(fields.etagDoesNotMatch),
    uploadedBefore: dateValue(fields.uploadedBefore),
    uploadedAfter: dateValue(fields.uploadedAfter),
    secondsGranularity: fields.secondsGranularity === true,
  });
}

/** An If-Match / If-None-Match list: `*`, `"etag"`, `W/"etag"`, comma-separated. */
export function parseEtagHeader(header: string): Etag[] {
  const etags: Etag[] = [];
  let rest = header;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, "");
    if (rest === "") return etags;
    if (rest.startsWith("*")) return [{ type: "wildcard" }];
    const weak = rest.startsWith("W/");
    if (weak) rest = rest.slice(2);
    if (!rest.startsWith('"')) {
      if (weak) throw new Error("Weak etags must start with W/ and their value must be quoted");
      throw new Error("Invalid conditional header");
    }
    const close = rest.indexOf('"', 1);
    if (close < 0) throw new Error("Unclosed double quote for Etag");
    etags.push({ type: weak ? "weak" : "strong", value: rest.slice(1, close) });
    rest = rest.slice(close + 1).replace(/^\s+/, "");
    if (rest !== "" && !rest.startsWith(",")) {
      throw new Error(
        "Comma was expected to separate etags. Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag.",
      );
    }
  }
}

function rangeNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = Number(value);
  const name =
    what === "Suffix" ? "Invalid suffix. Suffix" : what === "Starting offset" ? "Invalid range. Starting offset" : "Invalid range. Length";
  if (!(number >= 0)) throw new RangeError(`${name} (${number}) must be greater than or equal to 0.`);
  if (!Number.isInteger(number)) throw new RangeError(`Invalid range. ${what} (${number}) must be an integer, not floating point.`);
  return number;
}

/** `range`: `{ offset?, length? }`, `{ suffix }`, or request headers with a Range header. */
export function rangeOf(value: unknown): RangeRequest | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Headers) {
    const header = value.get("range");
    return header === null ? undefined : { kind: "header", value: header };
  }
  const fields = optionsObject(value, "R2Range or Headers");
  const offset = rangeNumber(fields.offset, "Starting offset");
  const length = rangeNumber(fields.length, "Length");
  if (fields.suffix !== undefined && fields.suffix !== null) {
    if (offset !== undefined) throw new TypeError("Suffix is incompatible with offset.");
    if (length !== undefined) throw new TypeError("Suffix is incompatible with length.");
    return { kind: "suffix", suffix: rangeNumber(fields.suffix, "Suffix")! };
  }
  return { kind: "bounds", ...(offset !== undefined && { offset }), ...(length !== undefined && { length }) };
}
