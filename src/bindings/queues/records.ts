// A queued message as stored: one entry per message in its queue's store, keyed so a scan
// lists messages in the order they become deliverable (then in the order they were sent).
import type { StoredEntry } from "../../storage/backend.js";
import type { QueueContentType } from "./body.js";

export interface StoredMessage {
  readonly id: string;
  /** When it was sent (ms since the epoch): `message.timestamp`. */
  readonly timestamp: number;
  readonly contentType: QueueContentType;
  readonly body: Uint8Array;
  /** Deliveries that failed so far (its next delivery's `attempts` is one more). */
  readonly failures: number;
  /** When it becomes deliverable (ms since the epoch): after its delay, or its retry's. */
  readonly visibleAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let sequence = 0;

/** The key of a message: visible time, then a sequence number (sending order within a millisecond), then its id. */
export function messageKey(message: StoredMessage): string {
  sequence = (sequence + 1) % 1e12;
  return `${String(message.visibleAt).padStart(15, "0")}.${String(sequence).padStart(12, "0")}.${message.id}`;
}

export function encodeMessage(message: StoredMessage): StoredEntry {
  const { body, ...fields } = message;
  const value = encoder.encode(JSON.stringify({ ...fields, body: Buffer.from(body).toString("base64") }));
  return [messageKey(message), value];
}

export function decodeMessage(value: Uint8Array): StoredMessage {
  const fields = JSON.parse(decoder.decode(value)) as Omit<StoredMessage, "body"> & { body: string };
  return { ...fields, body: new Uint8Array(Buffer.from(fields.body, "base64")) };
}
