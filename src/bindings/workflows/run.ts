// One run of an instance's `run(event, step)`: what it waits on (sleeps, retry delays, step
// timeouts, events), how many step callbacks are in progress (a pause waits for them), and its
// end. A run ends when the instance is paused, terminated, restarted or discarded, or its test
// scope ends: every wait rejects with RunEnded, every later step call throws it, and nothing the
// run does afterwards is stored (a JavaScript function cannot be stopped; its effects can).
import type { ClockWaits } from "./clock-waits.js";
import type { InstanceModifications } from "./modifications.js";
import type { CachedStep, StoredEvent } from "./records.js";
import type { WorkflowInstanceStatus } from "./types.js";

/** What a run's step calls throw once it has ended: the engine ignores the run's outcome then. */
export class RunEnded extends Error {
  override name = "RunEnded";
}

/** What the engine does for a run: its instance's store, status and events. */
export interface RunStore {
  readCache(id: string, key: string): Promise<CachedStep | undefined>;
  /** Stores a step's outcome, unless `run` has ended (then RunEnded). */
  writeCache(run: Run, key: string, step: CachedStep): Promise<void>;
  /** running or waiting, unless `run` has ended; a run never moves an instance out of a pause or an end. */
  setStatus(run: Run, status: "running" | "waiting"): Promise<void>;
  status(id: string): Promise<WorkflowInstanceStatus | undefined>;
  /** Moves a waitingForPause instance to paused (its run ends). */
  completePause(id: string): Promise<void>;
  /** The first event of `type` mocked or sent to the instance and not yet taken, taken. */
  takeEvent(id: string, type: string): Promise<StoredEvent | undefined>;
  modifications(id: string): InstanceModifications | undefined;
  /** Tells the introspector's waiters something changed. */
  notify(): void;
  readonly preserveNonRetryableMessage: boolean;
}

export class Run {
  readonly id: string;
  readonly store: RunStore;
  readonly #waits: ClockWaits;
  readonly #cancels = new Set<(reason: unknown) => void>();
  readonly #eventListeners = new Set<() => void>();
  #ended = false;
  /** step.do callbacks in progress: a pause lets them finish. */
  stepping = 0;
  /** step.do calls so far (production's per-run step limit). */
  steps = 0;
  readonly #counters = new Map<string, number>();

  constructor(id: string, store: RunStore, waits: ClockWaits) {
    this.id = id;
    this.store = store;
    this.#waits = waits;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Throws RunEnded once the run has ended. */
  assertLive(): void {
    if (this.#ended) throw new RunEnded(`This run of Workflow instance "${this.id}" has ended.`);
  }

  now(): number {
    return this.#waits.now();
  }

  /** The 1-based count of this step among the run's steps of the same kind and name. */
  count(kindAndName: string): number {
    const count = (this.#counters.get(kindAndName) ?? 0) + 1;
    this.#counters.set(kindAndName, count);
    return count;
  }

  /** Resolves at `at` on the runtime's clock; rejects with RunEnded if the run ends first. */
  async until(at: number): Promise<void> {
    await this.wait(at).promise;
    this.assertLive();
  }

  /** `until(at)` that the caller may also cancel (a step's timeout once the step is done). */
  wait(at: number): { promise: Promise<void>; cancel(): void } {
    this.assertLive();
    const wait = this.#waits.until(at);
    const cancel = (reason: unknown): void => wait.cancel(reason);
    this.#cancels.add(cancel);
    const promise = wait.promise.finally(() => this.#cancels.delete(cancel));
    promise.catch(() => {});
    return {
      promise,
      cancel: () => {
        this.#cancels.delete(cancel);
        wait.cancel(new RunEnded("The wait is no longer needed."));
      },
    };
  }

  /** Resolves when an event reaches the instance (or is mocked); rejects with RunEnded if the run ends first. */
  nextEvent(): { promise: Promise<void>; cancel(): void } {
    let listener!: () => void;
    let cancel!: (reason: unknown) => void;
    const promise = new Promise<void>((resolve, reject) => {
      listener = resolve;
      cancel = reject;
    });
    promise.catch(() => {});
    this.#eventListeners.add(listener);
    this.#cancels.add(cancel);
    return {
      promise,
      cancel: () => {
        this.#eventListeners.delete(listener);
        this.#cancels.delete(cancel);
      },
    };
  }

  /** An event was sent or mocked: every wait for one looks again. */
  eventArrived(): void {
    for (const listener of [...this.#eventListeners]) listener();
    this.#eventListeners.clear();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const reason = new RunEnded(`This run of Workflow instance "${this.id}" has ended.`);
    for (const cancel of [...this.#cancels]) cancel(reason);
    this.#cancels.clear();
    this.#eventListeners.clear();
  }
}
