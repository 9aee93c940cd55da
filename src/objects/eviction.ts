/** What eviction does with the object's WebSockets: keep them hibernating (the default) or drop them. */
export interface EvictOptions {
  readonly webSockets?: "hibernate" | "close" | undefined;
}

/** Whether eviction drops the sockets (`"close"`); a TypeError names an unknown mode. */
export function evictsSockets(options: EvictOptions | undefined): boolean {
  const mode = options?.webSockets ?? "hibernate";
  if (mode !== "hibernate" && mode !== "close") {
    throw new TypeError(`The webSockets eviction option must be "hibernate" or "close", but it was ${JSON.stringify(mode)}.`);
  }
  return mode === "close";
}
