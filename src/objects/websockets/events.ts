/**
 * The events a Workers WebSocket dispatches. Node has MessageEvent; CloseEvent
 * and ErrorEvent (Node 23+) are defined here with the fields Workers give them.
 */

export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? "";
    this.wasClean = init.wasClean ?? false;
  }
}

export class ErrorEvent extends Event {
  readonly message: string;
  readonly error: unknown;
  constructor(type: string, init: { message?: string; error?: unknown } = {}) {
    super(type);
    this.message = init.message ?? "";
    this.error = init.error;
  }
}

export function messageEvent(data: string | ArrayBuffer): Event {
  return new MessageEvent("message", { data });
}
