// Whether a response given to cache.put() is stored, and until when: the
// HTTP caching rules Cloudflare's cache applies to it (Cache-Control with
// s-maxage over max-age over Expires; no-store, no-cache and private keep it
// out; Set-Cookie keeps it out unless `private=Set-Cookie` strips the header).
// Locally, as in workerd, a response without Cache-Control is not stored.

/** A Cache-Control header's directives: lower-case names, values unquoted (null when bare). */
export function parseCacheControl(header: string): Map<string, string | null> {
  const directives = new Map<string, string | null>();
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    const name = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase();
    if (name === "") continue;
    const value =
      at === -1
        ? null
        : part
            .slice(at + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1");
    if (!directives.has(name)) directives.set(name, value);
  }
  return directives;
}

export type StoreDecision =
  { readonly store: false; readonly reason: string } | { readonly store: true; readonly expires: number; readonly headers: Headers };

/** Seconds as a directive gives them; NaN when it is not a whole number. */
function seconds(value: string | null): number {
  return value !== null && /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

/** The headers a directive's field list names (`private="Set-Cookie, X-Id"`). */
function fields(value: string | null): string[] {
  return value === null
    ? []
    : value
        .split(",")
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== "");
}

/** Decides whether `headers` (a response's) are stored at `now` (ms), and the headers to store. */
export function storeDecision(responseHeaders: Headers, now: number): StoreDecision {
  const header = responseHeaders.get("cache-control");
  if (header === null) return { store: false, reason: "no Cache-Control" };
  const directives = parseCacheControl(header);
  if (directives.has("no-store")) return { store: false, reason: "no-store" };
  const headers = new Headers(responseHeaders);
  // With field names, private and no-cache only keep those headers out of the cache.
  for (const directive of ["private", "no-cache"]) {
    if (!directives.has(directive)) continue;
    const named = fields(directives.get(directive)!);
    if (named.length === 0) return { store: false, reason: directive };
    for (const name of named) headers.delete(name);
  }
  if (headers.has("set-cookie")) return { store: false, reason: "Set-Cookie" };
  let ttl: number;
  if (directives.has("s-maxage")) ttl = seconds(directives.get("s-maxage")!);
  else if (directives.has("max-age")) ttl = seconds(directives.get("max-age")!);
  else {
    const expires = headers.get("expires");
    ttl = expires === null ? Number.NaN : (Date.parse(expires) - now) / 1000;
  }
  if (!(ttl > 0)) return { store: false, reason: "expired or no lifetime" };
  return { store: true, expires: now + ttl * 1000, headers };
}
