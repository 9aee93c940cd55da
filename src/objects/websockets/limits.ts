/** Production's WebSocket limits and the messages its errors carry (modern-api.md §1.2, §3). */

/** Distinct tags one hibernatable WebSocket may have. */
export const MAX_TAGS = 10;
/** Characters in one tag. */
export const MAX_TAG_LENGTH = 256;
/** Hibernatable WebSockets one object may hold. */
export const MAX_HIBERNATABLE_SOCKETS = 32_768;
/** Bytes of a serialised attachment. */
export const MAX_ATTACHMENT_BYTES = 16_384;
/** Bytes of an auto-response's request or response text. */
export const MAX_AUTO_RESPONSE_BYTES = 2_048;
/** The longest hibernatable event timeout: seven days. */
export const MAX_EVENT_TIMEOUT_MS = 604_800_000;
/** The largest message a WebSocket receives (32 MiB). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/** Idle time after which an object whose only connections are hibernatable WebSockets is evicted (production: about 10 s). */
export const HIBERNATE_AFTER_MS = 10_000;

/** The close code and reason a peer that vanished without a Close frame reports. */
export const ABNORMAL_CLOSURE = 1006;
export const DISCONNECTED_REASON = "WebSocket disconnected without sending Close frame.";

export const NOT_ACCEPTED = "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.";
export const ALREADY_ACCEPTED = "Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`";
export const ACCEPT_AFTER_HIBERNATION = "Can't accept() WebSocket after enabling hibernation.";
export const NOT_HIBERNATABLE_TAGS = "you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket.";
/** getTags() of a socket accepted with accept() (workerd's web-socket.c++ getHibernatableTags()). */
export const ONLY_HIBERNATABLE_TAGS = "only hibernatable websockets can have tags.";

export function tooManyTags(): string {
  return `a Hibernatable WebSocket cannot have more than ${MAX_TAGS} tags`;
}

export function tagTooLong(tag: string): string {
  return `"${tag}" is longer than the max tag length (${MAX_TAG_LENGTH} characters).`;
}

export function attachmentTooLarge(bytes: number): string {
  return `A WebSocket 'attachment' cannot be larger than ${MAX_ATTACHMENT_BYTES} bytes.'attachment' was ${bytes} bytes.`;
}

export function autoResponseTooLarge(what: "Request" | "Response", bytes: number): string {
  return `${what} cannot be larger than ${MAX_AUTO_RESPONSE_BYTES} bytes. A ${what.toLowerCase()} of size ${bytes} was provided.`;
}
