// Production's limits on instance ids, step names and configs, event payloads and step results,
// with the Workflows engine's messages (workers-sdk's workflows-shared validators and binding).
import { serialize } from "../../storage/codec.js";
import { parseDuration } from "./duration.js";
import { WorkflowError, WorkflowFatalError, workflowError } from "./errors.js";

export const MAX_INSTANCE_ID_LENGTH = 100;
const INSTANCE_ID = /^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/;
export const MAX_STEP_NAME_LENGTH = 256;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f]/;
/** Steps one run may take (the engine's default step limit). */
export const MAX_STEPS = 10_000;
/** Bytes of a step's result, an instance's params or an event's payload (1 MiB, Workflows' limits page). */
export const MAX_VALUE_BYTES = 1 << 20;
/** Instances one createBatch() call may create. */
export const MAX_BATCH = 100;
export const DEFAULT_EVENT_TIMEOUT = "24 hours";
export const MAX_SLEEP_MS = 365 * 86_400_000;

/** A valid instance id, or production's WorkflowError, saying what is allowed. */
export function checkInstanceId(id: unknown): string {
  if (typeof id !== "string" || id.length > MAX_INSTANCE_ID_LENGTH || !INSTANCE_ID.test(id)) {
    throw new WorkflowError(
      `Workflow instance has invalid id: ${typeof id === "string" ? JSON.stringify(id) : String(id)} ` +
        `(an id has 1 to ${MAX_INSTANCE_ID_LENGTH} characters, letters, digits, "_" and "-", and does not start with "-").`,
    );
  }
  return id;
}

export function duplicateInstance(id: string): WorkflowError {
  return workflowError("instance.already_exists", `Workflow instance with id "${id}" already exists`);
}

export function instanceNotFound(id: string): Error {
  return new Error(`instance.not_found: no instance "${id}" of this Workflow.`);
}

/** A value stored for the instance (params, a step's result, an event's payload): structured-clonable and at most 1 MiB. */
export function checkStoredValue(what: string, value: unknown): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = serialize(value);
  } catch (error) {
    throw new TypeError(`${what} is not serialisable: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.byteLength > MAX_VALUE_BYTES) {
    throw new RangeError(`${what} is ${bytes.byteLength} bytes once serialised; the maximum is 1 MiB (${MAX_VALUE_BYTES} bytes).`);
  }
  return bytes;
}

/** A step's name, or the engine's WorkflowFatalError. */
export function checkStepName(name: unknown): string {
  if (typeof name !== "string" || name.length > MAX_STEP_NAME_LENGTH || CONTROL_CHARACTER.test(name)) {
    throw new WorkflowFatalError(
      `Step name "${String(name)}" exceeds max length (${MAX_STEP_NAME_LENGTH} chars) or invalid characters found`,
    );
  }
  return name;
}

export type Backoff = "constant" | "linear" | "exponential";

/** A step's config with the engine's defaults (5 retries, 1 s apart, exponential; 10 minutes' timeout), durations in ms. */
export interface StepConfig {
  readonly limit: number;
  readonly delayMs: number;
  readonly backoff: Backoff;
  readonly timeoutMs: number;
}

const DEFAULTS: StepConfig = { limit: 5, delayMs: 1000, backoff: "exponential", timeoutMs: 600_000 };
const BACKOFFS: readonly string[] = ["constant", "linear", "exponential"];

function invalidConfig(name: string): WorkflowFatalError {
  return new WorkflowFatalError(
    `Step config for "${name}" is in a invalid format. See https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/`,
  );
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A step's config checked as the engine's schema checks it (unknown keys refused), defaults applied. */
export function stepConfig(name: string, config: unknown): StepConfig {
  if (config === undefined) return DEFAULTS;
  if (!isPlainObject(config)) throw invalidConfig(name);
  if (Object.keys(config).some((key) => !["retries", "timeout", "sensitive"].includes(key))) throw invalidConfig(name);
  if (config.sensitive !== undefined && config.sensitive !== "output") throw invalidConfig(name);
  let { limit, delayMs, backoff, timeoutMs } = DEFAULTS;
  if (config.retries !== undefined) {
    const retries = config.retries;
    if (!isPlainObject(retries) || Object.keys(retries).some((key) => !["limit", "delay", "backoff"].includes(key)))
      throw invalidConfig(name);
    if (typeof retries.limit !== "number" || !(retries.limit >= 0)) throw invalidConfig(name);
    const delay = parseDuration(retries.delay);
    if (delay === undefined) throw invalidConfig(name);
    if (retries.backoff !== undefined && !BACKOFFS.includes(retries.backoff as string)) throw invalidConfig(name);
    limit = retries.limit;
    delayMs = delay;
    backoff = (retries.backoff as Backoff | undefined) ?? "exponential";
  }
  if (config.timeout !== undefined) {
    const timeout = parseDuration(config.timeout);
    if (timeout === undefined || timeout === 0) throw invalidConfig(name);
    timeoutMs = timeout;
  }
  return { limit, delayMs, backoff, timeoutMs };
}

/** The wait before retry `attempt` (1 after the first failure), as the engine computes it. */
export function retryDelay(config: StepConfig, attempt: number): number {
  switch (config.backoff) {
    case "exponential":
      return config.delayMs * 2 ** (attempt - 1);
    case "linear":
      return config.delayMs * attempt;
    default:
      return config.delayMs;
  }
}
