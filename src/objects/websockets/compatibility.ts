/** The compatibility date from which `web_socket_auto_reply_to_close` is on by default. */
export const AUTO_REPLY_TO_CLOSE_DATE = "2026-04-07";

/**
 * Whether the runtime answers a received Close frame itself (for sockets
 * accepted with accept()): on from the 2026-04-07 compatibility date, or
 * with the flag; on when no date is given (durabox runs the current
 * behaviour by default).
 */
export function autoReplyToClose(compatibilityDate: string | undefined, flags: readonly string[]): boolean {
  if (flags.includes("web_socket_auto_reply_to_close")) return true;
  return compatibilityDate === undefined || compatibilityDate >= AUTO_REPLY_TO_CLOSE_DATE;
}
