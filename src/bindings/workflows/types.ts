// The public types of Workflows, as @cloudflare/workers-types declares them (the parts durabox runs).

export type WorkflowDurationLabel = "second" | "minute" | "hour" | "day" | "week" | "month" | "year";
/** Milliseconds, or "10 seconds", "1 minute", ... */
export type WorkflowSleepDuration = `${number} ${WorkflowDurationLabel}${"s" | ""}` | number;
export type WorkflowBackoff = "constant" | "linear" | "exponential";

export interface WorkflowStepConfig {
  retries?: { limit: number; delay: WorkflowSleepDuration; backoff?: WorkflowBackoff };
  timeout?: WorkflowSleepDuration;
  sensitive?: "output";
}

/** What `run(event, step)` receives. */
export interface WorkflowEvent<T = unknown> {
  payload: Readonly<T>;
  timestamp: Date;
  instanceId: string;
  workflowName: string;
}

/** An event `step.waitForEvent()` resolves with. */
export interface WorkflowStepEvent<T = unknown> {
  payload: Readonly<T>;
  timestamp: Date;
  type: string;
}

/** What a step's callback receives. */
export interface WorkflowStepContext {
  step: { name: string; count: number };
  attempt: number;
  config: WorkflowStepConfig;
}

export interface WorkflowStep {
  do<T>(name: string, callback: (ctx: WorkflowStepContext) => Promise<T> | T): Promise<T>;
  do<T>(name: string, config: WorkflowStepConfig, callback: (ctx: WorkflowStepContext) => Promise<T> | T): Promise<T>;
  sleep(name: string, duration: WorkflowSleepDuration): Promise<void>;
  sleepUntil(name: string, timestamp: Date | number): Promise<void>;
  waitForEvent<T = unknown>(name: string, options: { type: string; timeout?: WorkflowSleepDuration }): Promise<WorkflowStepEvent<T>>;
}

export type WorkflowInstanceStatus =
  "queued" | "running" | "paused" | "errored" | "terminated" | "complete" | "waiting" | "waitingForPause" | "unknown";

/** What `instance.status()` answers. */
export interface InstanceStatus {
  status: WorkflowInstanceStatus;
  error?: { name: string; message: string };
  output?: unknown;
}

export interface WorkflowInstanceCreateOptions<Params = unknown> {
  id?: string;
  params?: Params;
  retention?: { successRetention?: WorkflowSleepDuration; errorRetention?: WorkflowSleepDuration };
  locationHint?: string;
}
