import { nodeCrypto } from "../base/node-crypto.js";
import type { Hash, webcrypto } from "node:crypto";
import { lazyGlobal } from "../base/lazy-global.js";
import { deferPlatformGlobals } from "../base/platform-globals.js";
import { FixedLengthStream, markBodiesSized } from "./fixed-length-stream.js";

type Crypto = webcrypto.Crypto;

/**
 * Globals the Workers runtime has and Node does not, for worker code
 * (evaluate.ts's workerScope) and test files (the environments install
 * them): `crypto` with `subtle.timingSafeEqual`, `DigestStream` and MD5 in
 * `subtle.digest`, `scheduler.wait` and `FixedLengthStream`. `crypto` is the platform's own
 * behind a Proxy, so `instanceof Crypto` and every other member still hold.
 */
export interface WorkersGlobals {
  readonly crypto: Crypto;
  readonly scheduler: WorkersScheduler;
  readonly FixedLengthStream: typeof FixedLengthStream;
}

export interface WorkersScheduler {
  /** Resolves after `ms`, on the realm's timers of the moment (a test's fake timers drive it). */
  wait(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
}

type BufferSourceLike = ArrayBuffer | ArrayBufferView;

/** The digest names Workers accept, and node:crypto's name for each. */
const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512", MD5: "md5" };

function digestName(algorithm: unknown): string | undefined {
  const name = typeof algorithm === "string" ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  return typeof name === "string" ? DIGESTS[name.toUpperCase()] : undefined;
}

function bytesOf(value: unknown, what: string): Uint8Array {
  if (value instanceof ArrayBuffer || Object.prototype.toString.call(value) === "[object ArrayBuffer]") {
    return new Uint8Array(value as ArrayBuffer);
  }
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what} must be an ArrayBuffer or ArrayBufferView.`);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function notSupported(): DOMException {
  return new DOMException("Unrecognized or unimplemented digest algorithm requested.", "NotSupportedError");
}

/** `crypto.subtle.timingSafeEqual(a, b)`: constant-time comparison; the lengths must match (production's TypeError). */
function timingSafeEqual(a: BufferSourceLike, b: BufferSourceLike): boolean {
  const left = bytesOf(a, "The first argument");
  const right = bytesOf(b, "The second argument");
  if (left.byteLength !== right.byteLength) throw new TypeError("Input buffers must have the same byte length.");
  return nodeCrypto().timingSafeEqual(left, right);
}

/**
 * `new crypto.DigestStream(algorithm)`: a WritableStream of bytes whose
 * `digest` promise resolves with the hash (an ArrayBuffer) once it closes.
 */
function digestStreamClass(): new (algorithm: unknown) => WritableStream<BufferSourceLike | string> & {
  readonly digest: Promise<ArrayBuffer>;
  readonly bytesWritten: number;
} {
  return class DigestStream extends WritableStream<BufferSourceLike | string> {
    readonly digest: Promise<ArrayBuffer>;
    #bytesWritten = 0;

    constructor(algorithm: unknown) {
      const name = digestName(algorithm);
      if (name === undefined) throw notSupported();
      const hash: Hash = nodeCrypto().createHash(name);
      let settle!: { resolve: (value: ArrayBuffer) => void; reject: (reason: unknown) => void };
      const digest = new Promise<ArrayBuffer>((resolve, reject) => (settle = { resolve, reject }));
      // Unobserved, a stream aborted before anyone awaits the digest must not be an unhandled rejection.
      digest.catch(() => {});
      super({
        write: (chunk) => {
          const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : bytesOf(chunk, "A DigestStream chunk");
          this.#bytesWritten += bytes.byteLength;
          hash.update(bytes);
        },
        close: () => settle.resolve(toArrayBuffer(hash.digest())),
        abort: (reason) => settle.reject(reason),
      });
      this.digest = digest;
    }

    get bytesWritten(): number {
      return this.#bytesWritten;
    }
  };
}

/** A Proxy over `target` whose methods stay bound to it (Node's webcrypto checks `this`), with `overrides` first. */
function withOverrides<T extends object>(target: T, overrides: Record<string, unknown>): T {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === "string" && key in overrides) return overrides[key];
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== "function") return value;
      if (!bound.has(key)) bound.set(key, (value as (...args: unknown[]) => unknown).bind(object));
      return bound.get(key);
    },
    has: (object, key) => (typeof key === "string" && key in overrides) || Reflect.has(object, key),
  });
}

/** `crypto` as Workers have it, over the realm's own `crypto`. */
export function workersCrypto(base: Crypto): Crypto {
  const subtle = base.subtle;
  const digest = (algorithm: unknown, data: BufferSourceLike): Promise<ArrayBuffer> => {
    const name = digestName(algorithm);
    // MD5 is Workers-only; the rest are the platform's.
    if (name !== "md5") return subtle.digest(algorithm as webcrypto.AlgorithmIdentifier, data);
    try {
      return Promise.resolve(toArrayBuffer(nodeCrypto().createHash("md5").update(bytesOf(data, "The data")).digest()));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const workersSubtle = withOverrides(subtle, { digest, timingSafeEqual });
  return withOverrides(base, { subtle: workersSubtle, DigestStream: digestStreamClass() });
}

/** `scheduler.wait(ms)`: setTimeout as a promise, on the realm's timers at call time. */
export function workersScheduler(global: typeof globalThis = globalThis): WorkersScheduler {
  return {
    wait(ms, options) {
      const signal = options?.signal;
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const clear = global.clearTimeout;
        const onAbort = (): void => {
          clear(timer);
          reject(signal!.reason);
        };
        const timer = global.setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}

let cached: WorkersGlobals | undefined;

/** The Workers-only globals over this realm's own (made once per copy of durabox). */
export function workersGlobals(): WorkersGlobals {
  if (cached === undefined) markBodiesSized([globalThis.Request, globalThis.Response]);
  return (cached ??= { crypto: workersCrypto(globalThis.crypto), scheduler: workersScheduler(), FixedLengthStream });
}

/**
 * Puts the Workers-only globals on a test file's global object; returns what
 * puts back the global's own. With `lazy` (see installWebSocketGlobals),
 * `crypto` is wrapped, and `Request` and `Response` marked, on first read:
 * Node makes Web Crypto and its fetch on first read too; with `deferPlatform`,
 * `Request` and `Response` are marked only when durabox first needs them.
 */
export function installWorkersGlobals(
  global: typeof globalThis,
  { lazy = false, deferPlatform = false }: { lazy?: boolean; deferPlatform?: boolean } = {},
): () => void {
  const names = ["crypto", "scheduler", "FixedLengthStream"] as const;
  const previous = names.map((name) => [name, Object.getOwnPropertyDescriptor(global, name)] as const);
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(global, name, { configurable: true, enumerable: true, writable: true, value });
  };
  define("scheduler", workersScheduler(global));
  define("FixedLengthStream", FixedLengthStream);
  // A runner without Web Crypto on its global (none we support) keeps what it has.
  const wrapCrypto = (crypto: unknown): unknown =>
    typeof crypto === "object" && crypto !== null ? workersCrypto(crypto as Crypto) : crypto;
  const mark = (owner: unknown): unknown => {
    markBodiesSized([owner as Parameters<typeof markBodiesSized>[0][number]]);
    return owner;
  };
  if (lazy) {
    lazyGlobal(global, "crypto", (previous) => wrapCrypto(previous()));
    const markBodies = (): void => {
      for (const name of ["Request", "Response"]) lazyGlobal(global, name, (previous) => mark(previous()));
    };
    // Deferred: touching Request or Response at all loads Node's fetch on Node 22+ (base/platform-globals.ts).
    if (deferPlatform) deferPlatformGlobals(global, markBodies);
    else markBodies();
  } else {
    if (typeof global.crypto === "object" && global.crypto !== null) define("crypto", wrapCrypto(global.crypto));
    mark(global.Request);
    mark(global.Response);
  }
  return () => {
    for (const [name, descriptor] of previous) {
      if (descriptor === undefined) delete (global as unknown as Record<string, unknown>)[name];
      else Object.defineProperty(global, name, descriptor);
    }
  };
}
