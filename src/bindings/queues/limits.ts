// Queues' limits (developers.cloudflare.com/queues/platform/limits: 1 KB is 1000 bytes) and the
// errors send() and sendBatch() throw past them. Local workerd answers several of these with
// "Unknown Internal Error"; these follow the documented limits, in workerd's "Queue send failed: "
// form with the reason the limit names.

export const MAX_MESSAGE_BYTES = 128_000;
export const MAX_BATCH_MESSAGES = 100;
export const MAX_BATCH_BYTES = 256_000;
/** The longest `delaySeconds` (sending or retrying) and `delivery_delay`: 24 hours. */
export const MAX_DELAY_SECONDS = 86_400;

/** How the two producer methods name themselves in errors. */
export type SendMethod = "send" | "sendBatch";

export function queueError(method: SendMethod, reason: string): Error {
  return new Error(`Queue ${method} failed: ${reason}`);
}

/** A `delaySeconds` checked against production's range, or undefined when absent. */
export function checkDelaySeconds(method: SendMethod | "retry" | "retryAll", value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_DELAY_SECONDS) {
    const reason = `delaySeconds ${typeof value === "number" ? value : (JSON.stringify(value) ?? typeof value)} is invalid: it must be a whole number of seconds from 0 to ${MAX_DELAY_SECONDS} (24 hours).`;
    throw method === "send" || method === "sendBatch" ? queueError(method, reason) : new RangeError(`${method}(): ${reason}`);
  }
  return value;
}

export function checkMessageSize(method: SendMethod, bytes: number): void {
  if (bytes > MAX_MESSAGE_BYTES) {
    throw queueError(
      method,
      method === "send"
        ? `message length of ${bytes} bytes exceeds limit of ${MAX_MESSAGE_BYTES} bytes (128 KB).`
        : `message in batch has length ${bytes} bytes which exceeds single message size limit of ${MAX_MESSAGE_BYTES} bytes (128 KB).`,
    );
  }
}

export function checkBatch(count: number, bytes: number): void {
  if (count > MAX_BATCH_MESSAGES) {
    throw queueError("sendBatch", `batch message count of ${count} exceeds limit of ${MAX_BATCH_MESSAGES} messages.`);
  }
  if (bytes > MAX_BATCH_BYTES) {
    throw queueError("sendBatch", `batch size of ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES} bytes (256 KB).`);
  }
}
