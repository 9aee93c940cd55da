/** Waits for the next `type` event of a WebSocket (or any EventTarget). */
export function nextEvent<E extends Event = Event>(target: EventTarget, type: string, timeoutMs = 2000): Promise<E> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
    target.addEventListener(
      type,
      (event) => {
        clearTimeout(timer);
        resolve(event as E);
      },
      { once: true },
    );
  });
}

/** Collects the data of every message event of `target`. */
export function messagesOf(target: EventTarget): unknown[] {
  const seen: unknown[] = [];
  target.addEventListener("message", (event) => seen.push((event as MessageEvent).data));
  return seen;
}

/** Resolves once `predicate` holds, polling on the event loop. */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export interface CloseDetails {
  code: number;
  reason: string;
  wasClean: boolean;
}

export async function nextClose(target: EventTarget, timeoutMs?: number): Promise<CloseDetails> {
  const event = await nextEvent<Event & CloseDetails>(target, "close", timeoutMs);
  return { code: event.code, reason: event.reason, wasClean: event.wasClean };
}
