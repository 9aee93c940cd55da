// The public shapes of R2's method options, as @cloudflare/workers-types declares them. The methods read
// their arguments as workerd does (arguments.ts), so these only type what callers write.
import type { R2HTTPMetadata } from "./objects.js";

/** A byte range: `{ offset, length }` (either optional) or `{ suffix }` (the last bytes). */
export type R2Range = { offset: number; length?: number } | { offset?: number; length: number } | { suffix: number };

/** Preconditions: the operation goes ahead only if they hold. */
export interface R2Conditional {
  etagMatches?: string;
  etagDoesNotMatch?: string;
  uploadedBefore?: Date;
  uploadedAfter?: Date;
  /** Compare upload times at whole seconds, as HTTP dates do. */
  secondsGranularity?: boolean;
}

export interface R2GetOptions {
  /** An R2Conditional, or request headers (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since). */
  onlyIf?: R2Conditional | Headers;
  /** A range, or request headers with a Range header. */
  range?: R2Range | Headers;
}

export interface R2PutOptions {
  onlyIf?: R2Conditional | Headers;
  httpMetadata?: R2HTTPMetadata | Headers;
  customMetadata?: Record<string, string>;
  md5?: ArrayBuffer | ArrayBufferView | string;
  sha1?: ArrayBuffer | ArrayBufferView | string;
  sha256?: ArrayBuffer | ArrayBufferView | string;
  sha384?: ArrayBuffer | ArrayBufferView | string;
  sha512?: ArrayBuffer | ArrayBufferView | string;
}

export interface R2MultipartOptions {
  httpMetadata?: R2HTTPMetadata | Headers;
  customMetadata?: Record<string, string>;
}

export interface R2ListOptions {
  /** 1 to 1,000 (the default). */
  limit?: number;
  prefix?: string;
  /** From a previous truncated list. */
  cursor?: string;
  delimiter?: string;
  startAfter?: string;
  include?: ("httpMetadata" | "customMetadata")[];
}

/** What put and uploadPart store. */
export type R2PutValue = ReadableStream | ArrayBuffer | ArrayBufferView | string | null | Blob;
