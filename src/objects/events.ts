import type { DurableObjectId } from "./id.js";

/** What happens to a Durable Object, as `verbose` logs it. */
export type ObjectEventType = "construct" | "fetch" | "rpc" | "alarm" | "eviction";

/** What an event says before its object is known: the type and a detail ("GET /path", the method, the reason). */
export interface EventLabel {
  readonly type: ObjectEventType;
  readonly detail?: string;
}

/** One event of one object. */
export interface ObjectEvent extends EventLabel {
  readonly className: string;
  readonly id: DurableObjectId;
}

/** Told of every event of every object of a runtime (the one place they pass: ObjectInstance). */
export type ObjectEventHook = (event: ObjectEvent) => void;

/** One line for an event: `rpc Counter "a" increment`, ids without a name by their first hex digits. */
export function describeObjectEvent({ type, className, id, detail }: ObjectEvent): string {
  const which = id.name !== undefined ? JSON.stringify(id.name) : `${id.toString().slice(0, 12)}…`;
  return `${type} ${className} ${which}${detail === undefined ? "" : ` ${detail}`}`;
}
