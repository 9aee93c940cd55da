// The `step` a run's `run(event, step)` receives: step.do with retries, backoff and a timeout,
// each result cached (a resumed or replayed run returns it without calling the callback again);
// sleeps and event waits on the runtime's clock. Behaviour and messages are the Workflows
// engine's (workers-sdk's workflows-shared context.ts), with a test's modifications applied.
import { deserialize } from "../../storage/codec.js";
import { durationMs } from "./duration.js";
import { errorShape, isNonRetryable, WorkflowFatalError, WorkflowTimeoutError } from "./errors.js";
import { checkStepName, checkStoredValue, DEFAULT_EVENT_TIMEOUT, MAX_SLEEP_MS, MAX_STEPS, retryDelay, stepConfig } from "./limits.js";
import type { Run } from "./run.js";
import type { WorkflowSleepDuration, WorkflowStep, WorkflowStepConfig, WorkflowStepContext, WorkflowStepEvent } from "./types.js";

type Callback = (ctx: WorkflowStepContext) => unknown;

/** An error as the cache gives it back: a new Error of the same name and message. */
function rebuilt({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class StepRunner implements WorkflowStep {
  readonly #run: Run;

  constructor(run: Run) {
    this.#run = run;
  }

  do<T>(name: string, ...rest: unknown[]): Promise<T> {
    return this.#do(name, rest) as Promise<T>;
  }

  async #do(name: string, rest: unknown[]): Promise<unknown> {
    const run = this.#run;
    run.assertLive();
    const [rawConfig, callback] = typeof rest[0] === "function" ? [undefined, rest[0]] : [rest[0] as unknown, rest[1]];
    if (typeof callback !== "function") throw new WorkflowFatalError(`Step "${String(name)}" requires a callback function`);
    if (++run.steps > MAX_STEPS) {
      throw new WorkflowFatalError(
        `The limit of ${MAX_STEPS} steps has been reached. This limit can be changed in your worker configuration.`,
      );
    }
    checkStepName(name);
    const config = stepConfig(name, rawConfig);
    const count = run.count(`do:${name}`);
    const key = `do:${name}#${count}`;
    const cached = await run.store.readCache(run.id, key);
    run.assertLive();
    if (cached?.kind === "do") return structuredClone(cached.value);
    if (cached?.kind === "do-error") throw rebuilt(cached.error);
    const given = (rawConfig ?? {}) as WorkflowStepConfig;
    const ctxConfig: WorkflowStepConfig = {
      ...given,
      retries: { limit: config.limit, delay: given.retries?.delay ?? 1000, backoff: config.backoff },
      timeout: given.timeout ?? "10 minutes",
    };
    const selector = { name, index: count };
    for (let attempt = 1; ; attempt++) {
      let value: unknown;
      run.stepping++;
      try {
        value = await this.#attempt(callback as Callback, selector, attempt, config.timeoutMs, ctxConfig);
      } catch (error) {
        run.stepping--;
        run.assertLive();
        if (isNonRetryable(error)) throw error;
        if (attempt <= config.limit) {
          const delay = run.store.modifications(run.id)?.retryDelayDisabled(selector) ? 0 : retryDelay(config, attempt);
          if (delay > 0) {
            await run.store.setStatus(run, "waiting");
            await run.until(run.now() + delay);
            await run.store.setStatus(run, "running");
          }
          continue;
        }
        await run.store.writeCache(run, key, { kind: "do-error", error: errorShape(error) });
        throw error;
      }
      run.stepping--;
      run.assertLive();
      let bytes: Uint8Array;
      try {
        bytes = checkStoredValue(`The value returned by step "${name}"`, value);
      } catch (error) {
        if (error instanceof RangeError)
          throw new WorkflowFatalError(`Step ${name}-${count} output is too large. Maximum allowed size is 1MiB.`);
        throw new WorkflowFatalError(
          `The execution of the Workflow instance was terminated, as the step "${name}" returned a value which is not serialisable`,
        );
      }
      await run.store.writeCache(run, key, { kind: "do", value: deserialize(bytes) });
      // A pause asked for while the step ran takes effect now.
      if ((await run.store.status(run.id)) === "waitingForPause") {
        await run.store.completePause(run.id);
        run.assertLive();
      }
      return deserialize(bytes);
    }
  }

  /** One attempt: a test's mock, or the callback raced against the step's timeout. */
  async #attempt(
    callback: Callback,
    selector: { name: string; index: number },
    attempt: number,
    timeoutMs: number,
    config: WorkflowStepConfig,
  ): Promise<unknown> {
    const run = this.#run;
    const override = run.store.modifications(run.id)?.attemptOverride(selector, attempt);
    if (override?.kind === "error") throw rebuilt(override.error);
    if (override?.kind === "timeout") throw new WorkflowTimeoutError("Execution timed out after 0ms");
    if (override?.kind === "result") return override.value;
    const deadline = run.wait(run.now() + timeoutMs);
    const timeout = deadline.promise.then(() => {
      throw new WorkflowTimeoutError(`Execution timed out after ${timeoutMs}ms`);
    });
    timeout.catch(() => {});
    const called = (async () => callback({ step: { name: selector.name, count: selector.index }, attempt, config }))();
    try {
      return await Promise.race([called, timeout]);
    } finally {
      deadline.cancel();
      // The callback may still settle after its timeout (or the run's end): nobody hears it.
      called.catch(() => {});
    }
  }

  async sleep(name: string, duration: WorkflowSleepDuration): Promise<void> {
    const run = this.#run;
    run.assertLive();
    checkStepName(name);
    const ms = durationMs(`The duration of step.sleep("${name}")`, duration);
    if (ms > MAX_SLEEP_MS) throw new RangeError(`step.sleep("${name}") may sleep at most 365 days, got ${ms} ms.`);
    await this.#sleep(name, ms);
  }

  async sleepUntil(name: string, timestamp: Date | number): Promise<void> {
    const run = this.#run;
    run.assertLive();
    checkStepName(name);
    const at = timestamp instanceof Date ? timestamp.valueOf() : timestamp;
    if (typeof at !== "number" || Number.isNaN(at)) {
      throw new TypeError(`step.sleepUntil("${name}") needs a Date or a number of ms since the epoch, got ${String(timestamp)}.`);
    }
    const now = run.now();
    if (at < now) throw new Error("You can't sleep until a time in the past, time-traveler");
    await this.#sleep(name, at - now);
  }

  async #sleep(name: string, ms: number): Promise<void> {
    const run = this.#run;
    const count = run.count(`sleep:${name}`);
    const key = `sleep:${name}#${count}`;
    const cached = await run.store.readCache(run.id, key);
    run.assertLive();
    if (cached?.kind === "sleep" && cached.done) return;
    const wakeAt = cached?.kind === "sleep" ? cached.wakeAt : run.now() + ms;
    if (cached === undefined) await run.store.writeCache(run, key, { kind: "sleep", wakeAt, done: false });
    if (!run.store.modifications(run.id)?.sleepDisabled({ name, index: count })) {
      await run.store.setStatus(run, "waiting");
      await run.until(wakeAt);
    }
    await run.store.writeCache(run, key, { kind: "sleep", wakeAt, done: true });
    await run.store.setStatus(run, "running");
  }

  async waitForEvent<T = unknown>(name: string, options: { type: string; timeout?: WorkflowSleepDuration }): Promise<WorkflowStepEvent<T>> {
    const run = this.#run;
    run.assertLive();
    checkStepName(name);
    if (typeof options !== "object" || options === null || typeof options.type !== "string" || options.type === "") {
      throw new TypeError(`step.waitForEvent("${name}") needs options { type: "event-type", timeout? }.`);
    }
    const timeoutMs = durationMs(`The timeout of step.waitForEvent("${name}")`, options.timeout ?? DEFAULT_EVENT_TIMEOUT);
    const count = run.count(`event:${name}`);
    const key = `event:${name}#${count}`;
    const cached = await run.store.readCache(run.id, key);
    run.assertLive();
    if (cached?.kind === "event") return structuredClone(cached.event) as WorkflowStepEvent<T>;
    if (cached?.kind === "event-timeout") throw new WorkflowTimeoutError(cached.message);
    const deadline = cached?.kind === "event-wait" ? cached.deadline : run.now() + timeoutMs;
    if (cached === undefined) await run.store.writeCache(run, key, { kind: "event-wait", deadline });
    const timedOut = async (): Promise<never> => {
      const message = `Execution timed out after ${timeoutMs}ms`;
      await run.store.writeCache(run, key, { kind: "event-timeout", message });
      await run.store.setStatus(run, "running");
      throw new WorkflowTimeoutError(message);
    };
    if (run.store.modifications(run.id)?.eventTimeoutForced({ name, index: count })) return timedOut();
    let waiting = false;
    const expiry = run.wait(deadline);
    const expired = expiry.promise.then(() => true);
    expired.catch(() => {});
    try {
      return await this.#takeEvent<T>(
        key,
        options.type,
        expired,
        () => waiting,
        () => (waiting = true),
        timedOut,
      );
    } finally {
      expiry.cancel();
    }
  }

  async #takeEvent<T>(
    key: string,
    type: string,
    expired: Promise<boolean>,
    isWaiting: () => boolean,
    startWaiting: () => void,
    timedOut: () => Promise<never>,
  ): Promise<WorkflowStepEvent<T>> {
    const run = this.#run;
    for (;;) {
      // Listening before looking: an event sent while this run looks or marks itself waiting is not missed.
      const next = run.nextEvent();
      const event = await run.store.takeEvent(run.id, type);
      if (event !== undefined) next.cancel();
      run.assertLive();
      if (event !== undefined) {
        const received = { payload: event.payload, timestamp: event.timestamp, type: event.type };
        await run.store.writeCache(run, key, { kind: "event", event: received });
        if (isWaiting()) await run.store.setStatus(run, "running");
        return structuredClone(received) as WorkflowStepEvent<T>;
      }
      if (!isWaiting()) {
        startWaiting();
        await run.store.setStatus(run, "waiting");
      }
      const outcome = await Promise.race([next.promise.then(() => false), expired]);
      next.cancel();
      if (outcome) return timedOut();
    }
  }
}
