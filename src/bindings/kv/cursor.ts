import { kvError } from "./limits.js";

// list()'s cursor: opaque to callers, here the last key of the page, so the
// next page starts after it whatever was written or deleted in between.
const MARK = "durabox-kv:";

export function encodeCursor(lastKey: string): string {
  return Buffer.from(MARK + lastKey, "utf8").toString("base64url");
}

/** The key a cursor continues after; a string list() never returned is the service's "Invalid cursor". */
export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith(MARK) || Buffer.from(text, "utf8").toString("base64url") !== cursor) throw kvError("GET", 400, "Invalid cursor");
  return text.slice(MARK.length);
}
