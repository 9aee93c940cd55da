// What a test's introspector changed in one instance (`modify(m => ...)` of cloudflare:test):
// sleeps and retry delays skipped, steps' results, errors and timeouts mocked, events mocked,
// event waits timed out. Kept in memory by the engine until the introspector is disposed, with
// the Workflows engine's rules (a step's result mocked once; an error or timeout `times` counted
// over the step's attempts, in the order they were asked for).
import type { StoredEvent } from "./records.js";

/** A step as the introspector names it: its name and which of the steps of that name (1-based). */
export interface StepSelector {
  name: string;
  index?: number;
}

const keyOf = ({ name, index }: StepSelector): string => `${name}#${index ?? 1}`;

interface Counted<T> {
  always: T | undefined;
  byAttempt: Map<number, T>;
}

export class InstanceModifications {
  #allSleeps = false;
  readonly #sleeps = new Set<string>();
  #allRetryDelays = false;
  readonly #retryDelays = new Set<string>();
  readonly #results = new Map<string, unknown>();
  readonly #errors = new Map<string, Counted<{ name: string; message: string }>>();
  readonly #timeouts = new Map<string, Counted<true>>();
  /** Per step, the next attempt a counted error or timeout applies to. */
  readonly #nextAttempt = new Map<string, number>();
  readonly #eventTimeouts = new Set<string>();
  /** Events mocked for the instance, taken by its waits before any sent event. */
  readonly events: StoredEvent[] = [];
  /** Called when an event is mocked, so a wait already pending takes it. */
  onEvent: (() => void) | undefined;

  disableSleeps(steps?: readonly StepSelector[]): void {
    if (steps === undefined) this.#allSleeps = true;
    else for (const step of steps) this.#sleeps.add(keyOf(step));
  }

  disableRetryDelays(steps?: readonly StepSelector[]): void {
    if (steps === undefined) this.#allRetryDelays = true;
    else for (const step of steps) this.#retryDelays.add(keyOf(step));
  }

  mockStepResult(step: StepSelector, result: unknown): void {
    const key = keyOf(step);
    if (this.#results.has(key)) throw new Error(`[WorkflowIntrospector] Trying to mock step '${step.name}' multiple times!`);
    this.#results.set(key, structuredClone(result));
  }

  mockStepError(step: StepSelector, error: Error, times?: number): void {
    const key = keyOf(step);
    if (this.#results.has(key)) {
      throw new Error(`[WorkflowIntrospector] Trying to mock error on step '${step.name}' after mocking its result!`);
    }
    this.#count(this.#errors, key, { name: error.name, message: error.message }, times);
  }

  forceStepTimeout(step: StepSelector, times?: number): void {
    const key = keyOf(step);
    if (this.#results.has(key)) {
      throw new Error(`[WorkflowIntrospector] Trying to force timeout on step '${step.name}' after mocking its result!`);
    }
    this.#count(this.#timeouts, key, true, times);
  }

  mockEvent(event: { type: string; payload: unknown }): void {
    this.events.push({ type: event.type, payload: structuredClone(event.payload), timestamp: new Date() });
    this.onEvent?.();
  }

  forceEventTimeout(step: StepSelector): void {
    this.#eventTimeouts.add(keyOf(step));
  }

  sleepDisabled(step: StepSelector): boolean {
    return this.#allSleeps || this.#sleeps.has(keyOf(step));
  }

  retryDelayDisabled(step: StepSelector): boolean {
    return this.#allRetryDelays || this.#retryDelays.has(keyOf(step));
  }

  /** What attempt `attempt` (1-based) of a step.do does instead of running its callback, if anything. */
  attemptOverride(
    step: StepSelector,
    attempt: number,
  ): { kind: "error"; error: { name: string; message: string } } | { kind: "timeout" } | { kind: "result"; value: unknown } | undefined {
    const key = keyOf(step);
    const errors = this.#errors.get(key);
    const error = errors?.always ?? errors?.byAttempt.get(attempt);
    if (error !== undefined) return { kind: "error", error };
    const timeouts = this.#timeouts.get(key);
    if (timeouts?.always ?? timeouts?.byAttempt.get(attempt)) return { kind: "timeout" };
    if (this.#results.has(key)) return { kind: "result", value: structuredClone(this.#results.get(key)) };
    return undefined;
  }

  eventTimeoutForced(step: StepSelector): boolean {
    return this.#eventTimeouts.has(keyOf(step));
  }

  #count<T>(table: Map<string, Counted<T>>, key: string, value: T, times: number | undefined): void {
    let counted = table.get(key);
    if (counted === undefined) table.set(key, (counted = { always: undefined, byAttempt: new Map() }));
    if (times === undefined || times === 0) {
      counted.always = value;
      return;
    }
    const start = this.#nextAttempt.get(key) ?? 1;
    for (let attempt = start; attempt < start + times; attempt++) counted.byAttempt.set(attempt, value);
    this.#nextAttempt.set(key, start + times);
  }
}
