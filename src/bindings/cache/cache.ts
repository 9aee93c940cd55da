import type { ObjectStore } from "../../storage/backend.js";
import { decodeCached, encodeCached, type CachedResponse } from "./entry.js";
import { storeDecision } from "./policy.js";
import { parseRange } from "./range.js";

export type RequestLike = Request | string | URL;

export interface CacheQueryOptions {
  /** Match (or delete) whatever the request's method, as if it were GET. */
  readonly ignoreMethod?: boolean;
}

/** What builds the Responses a match returns: the class worker code sees. */
export type ResponseClass = new (body?: ConstructorParameters<typeof globalThis.Response>[0], init?: ResponseInit) => Response;

/** Statuses whose responses have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * One cache of the Cache API (`caches.default`, or `await caches.open(name)`):
 * `put`, `match` and `delete` keyed by URL, following the HTTP caching rules
 * Cloudflare's cache applies (policy.ts), with production's TypeErrors for
 * what it refuses. A match carries `CF-Cache-Status: HIT`, honours the Vary
 * the response was stored with, answers a Range request with 206 from the
 * full response, and a conditional one (If-None-Match, If-Modified-Since)
 * with 304. Expiry is judged by the runtime's clock at each call.
 */
export class Cache {
  readonly #store: ObjectStore;
  readonly #enabled: boolean;
  readonly #Response: () => ResponseClass;

  /** @internal Made by the runtime's CacheStorage. */
  constructor(store: ObjectStore, enabled: boolean, responseClass: () => ResponseClass) {
    this.#store = store;
    this.#enabled = enabled;
    this.#Response = responseClass;
  }

  async put(request: RequestLike, response: Response): Promise<undefined> {
    const key = toRequest(request);
    if (!isResponse(response)) {
      throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
    }
    if (key.method !== "GET") throw new TypeError("Cannot cache response to non-GET request.");
    if (response.status === 206) throw new TypeError("Cannot cache response to a range request (206 Partial Content).");
    if (response.headers.get("vary")?.includes("*")) throw new TypeError("Cannot cache response with 'Vary: *' header.");
    // The body is consumed either way, as production's put consumes it.
    const body = new Uint8Array(await response.arrayBuffer());
    if (!this.#enabled) return undefined;
    const now = Date.now();
    const decision = storeDecision(response.headers, now);
    if (!decision.store) return undefined;
    const vary = varyNames(response.headers.get("vary")).map((name) => [name, key.headers.get(name)] as const);
    const cached: CachedResponse = {
      status: response.status,
      statusText: response.statusText,
      headers: [...decision.headers],
      expires: decision.expires,
      vary,
    };
    await this.#store.commit({ puts: [[cacheKey(key), encodeCached(cached, body)]] });
    return undefined;
  }

  async match(request: RequestLike, options?: CacheQueryOptions): Promise<Response | undefined> {
    const key = toRequest(request);
    if (key.method !== "GET" && !options?.ignoreMethod) return undefined;
    if (!this.#enabled) return undefined;
    const [bytes] = await this.#store.get([cacheKey(key)]);
    if (bytes === undefined) return undefined;
    const { response: cached, body } = decodeCached(bytes);
    if (cached.expires <= Date.now()) return undefined;
    if (!cached.vary.every(([name, value]) => key.headers.get(name) === value)) return undefined;
    return this.#answer(key, cached, body);
  }

  async delete(request: RequestLike, options?: CacheQueryOptions): Promise<boolean> {
    const key = toRequest(request);
    if (key.method !== "GET" && !options?.ignoreMethod) return false;
    if (!this.#enabled) return false;
    const name = cacheKey(key);
    const [bytes] = await this.#store.get([name]);
    if (bytes === undefined) return false;
    await this.#store.commit({ deletes: [name] });
    return decodeCached(bytes).response.expires > Date.now();
  }

  #answer(request: Request, cached: CachedResponse, body: Uint8Array): Response {
    const Response = this.#Response();
    const headers = new Headers(cached.headers as [string, string][]);
    headers.set("cf-cache-status", "HIT");
    if (notModified(request, headers)) return new Response(null, { status: 304, headers });
    const range = cached.status === 200 ? parseRange(request.headers.get("range"), body.byteLength) : { kind: "whole" as const };
    if (range.kind === "unsatisfiable") {
      headers.set("content-range", `bytes */${body.byteLength}`);
      headers.delete("content-length");
      return new Response(null, { status: 416, statusText: "Range Not Satisfiable", headers });
    }
    if (range.kind === "partial") {
      headers.set("content-range", `bytes ${range.start}-${range.end}/${body.byteLength}`);
      headers.set("content-length", String(range.end - range.start + 1));
      return new Response(body.slice(range.start, range.end + 1), { status: 206, statusText: "Partial Content", headers });
    }
    const payload = NULL_BODY.has(cached.status) ? null : body.slice();
    return new Response(payload, { status: cached.status, statusText: cached.statusText, headers });
  }
}

// Duck-typed, not instanceof: a test runner may hand over a Request or Response of another realm.
function toRequest(request: RequestLike): Request {
  const candidate = request as Partial<Request>;
  if (typeof candidate === "object" && typeof candidate.url === "string" && typeof candidate.method === "string" && candidate.headers) {
    return request as Request;
  }
  return new globalThis.Request(request as string | URL);
}

function isResponse(value: unknown): value is Response {
  const candidate = value as Partial<Response> | null;
  return typeof candidate?.arrayBuffer === "function" && typeof candidate.status === "number" && candidate.headers !== undefined;
}

/** Entries are keyed by URL, without the fragment (a fragment never reaches a server). */
function cacheKey(request: Request): string {
  const url = request.url;
  const hash = url.indexOf("#");
  return hash === -1 ? url : url.slice(0, hash);
}

function varyNames(vary: string | null): string[] {
  if (vary === null) return [];
  return vary
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
}

/** A conditional request the cached response satisfies: If-None-Match (weak comparison), else If-Modified-Since. */
function notModified(request: Request, headers: Headers): boolean {
  const ifNoneMatch = request.headers.get("if-none-match");
  const etag = headers.get("etag");
  if (ifNoneMatch !== null) {
    if (etag === null) return false;
    const bare = (tag: string): string => tag.trim().replace(/^W\//, "");
    return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
  }
  const ifModifiedSince = request.headers.get("if-modified-since");
  const lastModified = headers.get("last-modified");
  if (ifModifiedSince === null || lastModified === null) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}
