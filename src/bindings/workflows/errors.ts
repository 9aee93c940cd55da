// The errors of Workflows, named and worded as the Workflows engine (workers-sdk's
// workflows-shared, which local workerd runs) names and words them.

/** `cloudflare:workflows`' NonRetryableError: thrown from a step, it ends the step's retries and the instance. */
export class NonRetryableError extends Error {
  constructor(message: string, name = "NonRetryableError") {
    super(message);
    this.name = name;
  }
}

/** A binding call refused: `new WorkflowError("(instance.already_exists) ...")`. */
export class WorkflowError extends Error {
  override name = "WorkflowError";
}

/** A step's or an event wait's timeout. */
export class WorkflowTimeoutError extends Error {
  override name = "WorkflowTimeoutError";
}

/** A step used wrongly (bad name or config), or a NonRetryableError that ended the instance. */
export class WorkflowFatalError extends Error {
  override name = "WorkflowFatalError";
}

/** The engine's `(code) message` form of a refused call. */
export function workflowError(code: string, message: string): WorkflowError {
  return new WorkflowError(`(${code}) ${message}`);
}

/** Whether production takes `error` for a NonRetryableError: by its name (or message), not its class. */
export function isNonRetryable(error: unknown): boolean {
  return error instanceof Error && (error.name === "NonRetryableError" || error.message.startsWith("NonRetryableError"));
}

/** An error as status() and the introspector report it: `{ name, message }`. */
export function errorShape(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    const { name, message } = error as { name?: unknown; message: string };
    return { name: typeof name === "string" ? name : "Error", message };
  }
  return { name: "Error", message: String(error) };
}
