// What an instance keeps in its Workflow's store: its record, its step cache and the events
// sent to it, each a key of its own (so a step's result is one small write), all V8-serialised.
import { deserialize, serialize } from "../../storage/codec.js";
import type { WorkflowInstanceStatus } from "./types.js";

export interface InstanceRecord {
  readonly id: string;
  readonly params: unknown;
  /** ms since the epoch. */
  readonly createdAt: number;
  readonly status: WorkflowInstanceStatus;
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** When it was paused (its pending sleeps are pushed back by the pause's length on resume). */
  readonly pausedAt?: number;
}

/** One cached step: a step.do's result or final error, a sleep's wake time, an event wait's outcome or deadline. */
export type CachedStep =
  | { readonly kind: "do"; readonly value: unknown }
  | { readonly kind: "do-error"; readonly error: { readonly name: string; readonly message: string } }
  | { readonly kind: "sleep"; readonly wakeAt: number; readonly done: boolean }
  | { readonly kind: "event"; readonly event: { readonly type: string; readonly payload: unknown; readonly timestamp: Date } }
  | { readonly kind: "event-wait"; readonly deadline: number }
  | { readonly kind: "event-timeout"; readonly message: string };

export interface StoredEvent {
  readonly type: string;
  readonly payload: unknown;
  readonly timestamp: Date;
}

const SEP = "\u0000";

export const instanceKey = (id: string): string => `i${SEP}${id}`;
/** The range of every instance record. */
export const INSTANCES = { start: `i${SEP}`, end: `i${SEP}\uffff` } as const;
export const stepKey = (id: string, step: string): string => `c${SEP}${id}${SEP}${step}`;
export const stepRange = (id: string): { start: string; end: string } => ({ start: `c${SEP}${id}${SEP}`, end: `c${SEP}${id}${SEP}\uffff` });
/** Events in arrival order: `seq` is zero-padded so the key order is the order they were sent. */
export const eventKey = (id: string, seq: number): string => `e${SEP}${id}${SEP}${String(seq).padStart(12, "0")}`;
export const eventRange = (id: string): { start: string; end: string } => ({
  start: `e${SEP}${id}${SEP}`,
  end: `e${SEP}${id}${SEP}\uffff`,
});

// A backend entry, spelt out: this file is reached from cloudflare:test's declarations, which must not name the backend.
export const encode = (key: string, value: unknown): readonly [key: string, value: Uint8Array] => [key, serialize(value)];
export const decode = <T>(bytes: Uint8Array): T => deserialize(bytes) as T;
