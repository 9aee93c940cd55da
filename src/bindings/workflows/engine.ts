// One Workflow (a `workflows` entry's name): its instances, kept in a store of the workflow
// persistence backend under the per-test layers, and the run of each. What runs is derived from
// what is stored: at start (file or Redis persistence) and after a layer pops, every instance
// still queued, running or waiting runs again, replaying its cached steps. Lifecycle and
// messages follow the Workflows engine (workers-sdk's workflows-shared engine.ts and binding.ts).
import type { IsolatedState } from "../../base/isolated-state.js";
import type { Clock } from "../../base/realm-clock.js";
import type { StorageBackend } from "../../storage/backend.js";
import { deserialize } from "../../storage/codec.js";
import { BindingData } from "../binding-data.js";
import { ClockWaits } from "./clock-waits.js";
import { errorShape, isNonRetryable, workflowError } from "./errors.js";
import { checkInstanceId, checkStoredValue, duplicateInstance, instanceNotFound } from "./limits.js";
import { InstanceModifications } from "./modifications.js";
import {
  decode,
  encode,
  eventKey,
  eventRange,
  INSTANCES,
  instanceKey,
  stepKey,
  stepRange,
  type CachedStep,
  type InstanceRecord,
  type StoredEvent,
} from "./records.js";
import { Run, RunEnded, type RunStore } from "./run.js";
import { StepRunner } from "./step.js";
import type { InstanceStatus, WorkflowEvent, WorkflowInstanceStatus, WorkflowStep } from "./types.js";

/** Runs the Workflow class's `run(event, step)` in a new instance of the class. */
export type WorkflowRunner = (event: WorkflowEvent, step: WorkflowStep) => Promise<unknown>;

export interface WorkflowEngineOptions {
  /** The Workflow's name (wrangler's `name`), `event.workflowName`. */
  readonly name: string;
  readonly backend: StorageBackend;
  readonly runner: WorkflowRunner;
  /** `workflows_preserve_non_retryable_error_message`: an unhandled NonRetryableError keeps its name and message. */
  readonly preserveNonRetryableMessage: boolean;
  readonly clock?: Clock;
}

const FINITE: readonly WorkflowInstanceStatus[] = ["complete", "errored", "terminated"];
const RUNNABLE: readonly WorkflowInstanceStatus[] = ["queued", "running", "waiting"];

export class WorkflowEngine implements IsolatedState, RunStore {
  readonly name: string;
  readonly preserveNonRetryableMessage: boolean;
  readonly #data: BindingData;
  readonly #runner: WorkflowRunner;
  readonly #waits: ClockWaits;
  readonly #runs = new Map<string, Run>();
  readonly #modifications = new Map<string, InstanceModifications>();
  readonly #listeners = new Set<() => void>();
  #eventSeq = 0;
  #disposed = false;
  /** Called with each instance created (cloudflare:test's introspectWorkflow sessions). */
  onCreate: ((id: string) => void) | undefined;

  constructor(options: WorkflowEngineOptions) {
    this.name = options.name;
    this.preserveNonRetryableMessage = options.preserveNonRetryableMessage;
    this.#data = new BindingData("workflow", options.backend);
    this.#runner = options.runner;
    this.#waits = new ClockWaits(options.clock);
    // Instances an earlier runtime left running (file or Redis persistence) run again.
    void this.#resumeStored();
  }

  get #store() {
    return this.#data.store(this.name);
  }

  async #record(id: string): Promise<InstanceRecord | undefined> {
    const [bytes] = await this.#store.get([instanceKey(id)]);
    return bytes === undefined ? undefined : decode<InstanceRecord>(bytes);
  }

  async #write(record: InstanceRecord): Promise<void> {
    await this.#store.commit({ puts: [encode(instanceKey(record.id), record)] });
    this.notify();
  }

  async #existing(id: string): Promise<InstanceRecord> {
    const record = await this.#record(id);
    if (record === undefined) throw instanceNotFound(id);
    return record;
  }

  /** Creates an instance (a new id when none is given) and starts its run; resolves to its id. */
  async create(options: unknown = {}): Promise<string> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("create() takes an options object: { id?, params? }.");
    }
    const given = options as { id?: unknown; params?: unknown };
    const id = given.id === undefined ? crypto.randomUUID() : checkInstanceId(given.id);
    const params = given.params === undefined ? {} : given.params;
    checkStoredValue("The params of a Workflow instance", params);
    if (given.id !== undefined && (await this.#record(id)) !== undefined) throw duplicateInstance(id);
    await this.#createUnchecked(id, params);
    return id;
  }

  /** The ids given, checked, before any is created: what createBatch() refuses, it refuses whole. */
  async createBatch(
    batch: readonly unknown[],
  ): Promise<{ created: string[]; errors: { index: number; id: string; code: number; message: string }[] }> {
    for (const options of batch) {
      if (typeof options !== "object" || options === null) throw new TypeError("createBatch() takes option objects: { id?, params? }.");
      const { id, params } = options as { id?: unknown; params?: unknown };
      if (id !== undefined) checkInstanceId(id);
      checkStoredValue("The params of a Workflow instance", params ?? {});
    }
    const created: string[] = [];
    const errors: { index: number; id: string; code: number; message: string }[] = [];
    const seen = new Set<string>();
    for (const [index, options] of batch.entries()) {
      const { id, params } = options as { id?: string; params?: unknown };
      if (id !== undefined) {
        if (seen.has(id)) {
          errors.push({ index, id, code: 10415, message: "workflows.api.error.instance.duplicate_in_batch" });
          continue;
        }
        seen.add(id);
        if ((await this.#record(id)) !== undefined) {
          errors.push({ index, id, code: 10405, message: "workflows.api.error.instance.already_exists" });
          continue;
        }
      }
      const instanceId = id ?? crypto.randomUUID();
      await this.#createUnchecked(instanceId, params ?? {});
      created.push(instanceId);
    }
    return { created, errors };
  }

  async #createUnchecked(id: string, params: unknown): Promise<void> {
    this.onCreate?.(id);
    const record: InstanceRecord = { id, params, createdAt: this.#waits.now(), status: "queued" };
    await this.#store.commit({ puts: [encode(instanceKey(id), record)] });
    this.notify();
    this.#start(record);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.#record(id)) !== undefined;
  }

  /** `instance.status()`: production's names, the output once complete, the error once errored. */
  async statusOf(id: string): Promise<InstanceStatus> {
    const record = await this.#existing(id);
    return {
      status: record.status,
      ...(record.status === "complete" && { output: structuredClone(record.output) }),
      ...(record.error !== undefined && { error: { ...record.error } }),
    };
  }

  async pause(id: string): Promise<void> {
    const record = await this.#existing(id);
    if (record.status !== "running" && record.status !== "waiting" && record.status !== "queued") return;
    const run = this.#runs.get(id);
    // A step callback in progress finishes first (waitingForPause); otherwise the run stops now.
    if (run !== undefined && run.stepping > 0) return this.#write({ ...record, status: "waitingForPause" });
    await this.#pauseNow(record);
  }

  async #pauseNow(record: InstanceRecord): Promise<void> {
    this.#end(record.id);
    await this.#write({ ...record, status: "paused", pausedAt: this.#waits.now() });
  }

  async completePause(id: string): Promise<void> {
    const record = await this.#record(id);
    if (record?.status === "waitingForPause") await this.#pauseNow(record);
  }

  async resume(id: string): Promise<void> {
    const record = await this.#existing(id);
    if (record.status === "waitingForPause") return this.#write({ ...record, status: "running" });
    if (record.status !== "paused") return;
    // Pending sleeps and event waits keep what they had left when the pause began.
    const shift = this.#waits.now() - (record.pausedAt ?? this.#waits.now());
    const puts = (await this.#store.list(stepRange(id))).flatMap(([key, bytes]) => {
      const step = decode<CachedStep>(bytes);
      if (step.kind === "sleep" && !step.done) return [encode(key, { ...step, wakeAt: step.wakeAt + shift })];
      if (step.kind === "event-wait") return [encode(key, { ...step, deadline: step.deadline + shift })];
      return [];
    });
    const { pausedAt: _pausedAt, ...rest } = record;
    const resumed: InstanceRecord = { ...rest, status: "queued" };
    await this.#store.commit({ puts: [...puts, encode(instanceKey(id), resumed)] });
    this.notify();
    this.#start(resumed);
  }

  async terminate(id: string): Promise<void> {
    const record = await this.#existing(id);
    if (FINITE.includes(record.status)) {
      throw workflowError("instance.cannot_terminate", "Cannot terminate instance since its on a finite state");
    }
    this.#end(id);
    await this.#write({ ...this.#withoutPause(record), status: "terminated" });
  }

  /** Starts the instance again from the beginning: its cached steps and output are forgotten. */
  async restart(id: string): Promise<void> {
    const record = await this.#existing(id);
    this.#end(id);
    const cached = (await this.#store.list(stepRange(id))).map(([key]) => key);
    const restarted: InstanceRecord = { id, params: record.params, createdAt: record.createdAt, status: "queued" };
    await this.#store.commit({ deletes: cached, puts: [encode(instanceKey(id), restarted)] });
    this.notify();
    this.#start(restarted);
  }

  async sendEvent(id: string, event: unknown): Promise<void> {
    if (typeof event !== "object" || event === null || typeof (event as { type?: unknown }).type !== "string") {
      throw new TypeError('sendEvent() takes { type: "event-type", payload }.');
    }
    const { type, payload } = event as { type: string; payload?: unknown };
    checkStoredValue("The payload of a Workflow event", payload);
    await this.#existing(id);
    const stored: StoredEvent = { type, payload: structuredClone(payload), timestamp: new Date(this.#waits.now()) };
    const seq = Math.max(this.#eventSeq, this.#waits.now() * 1000) + 1;
    this.#eventSeq = seq;
    await this.#store.commit({ puts: [encode(eventKey(id, seq), stored)] });
    this.#runs.get(id)?.eventArrived();
  }

  // RunStore: what a run reads and writes, never once it has ended.

  async readCache(id: string, key: string): Promise<CachedStep | undefined> {
    const [bytes] = await this.#store.get([stepKey(id, key)]);
    return bytes === undefined ? undefined : decode<CachedStep>(bytes);
  }

  async writeCache(run: Run, key: string, step: CachedStep): Promise<void> {
    // Checked with no await before the commit: a run ended meanwhile stores nothing.
    run.assertLive();
    await this.#store.commit({ puts: [encode(stepKey(run.id, key), step)] });
    this.notify();
  }

  async setStatus(run: Run, status: "running" | "waiting"): Promise<void> {
    const record = await this.#record(run.id);
    if (run.ended || record === undefined || record.status === status || !RUNNABLE.includes(record.status)) return;
    await this.#write({ ...record, status });
  }

  async status(id: string): Promise<WorkflowInstanceStatus | undefined> {
    return (await this.#record(id))?.status;
  }

  async takeEvent(id: string, type: string): Promise<StoredEvent | undefined> {
    const mocked = this.#modifications.get(id)?.events;
    const index = mocked?.findIndex((event) => event.type === type) ?? -1;
    if (index >= 0) return mocked!.splice(index, 1)[0];
    for (const [key, bytes] of await this.#store.list(eventRange(id))) {
      const event = decode<StoredEvent>(bytes);
      if (event.type !== type) continue;
      await this.#store.commit({ deletes: [key] });
      return event;
    }
    return undefined;
  }

  modifications(id: string): InstanceModifications | undefined {
    return this.#modifications.get(id);
  }

  /** The instance's modifications (a test's introspector), made on first use. */
  modify(id: string): InstanceModifications {
    let modifications = this.#modifications.get(id);
    if (modifications === undefined) {
      this.#modifications.set(id, (modifications = new InstanceModifications()));
      modifications.onEvent = () => this.#runs.get(id)?.eventArrived();
    }
    return modifications;
  }

  /** The introspector's end: its modifications dropped, the instance stopped and deleted (as the plugin's dispose does). */
  async discard(id: string): Promise<void> {
    this.#modifications.delete(id);
    this.#end(id);
    const keys = [
      instanceKey(id),
      ...(await this.#store.list(stepRange(id))).map(([key]) => key),
      ...(await this.#store.list(eventRange(id))).map(([key]) => key),
    ];
    await this.#store.commit({ deletes: keys });
    this.notify();
  }

  /** A step.do's outcome, once cached: its result, or its final error. */
  async stepOutcome(
    id: string,
    name: string,
    index: number,
  ): Promise<{ value: unknown } | { error: { name: string; message: string } } | undefined> {
    const cached = await this.readCache(id, `do:${name}#${index}`);
    if (cached?.kind === "do") return { value: structuredClone(cached.value) };
    if (cached?.kind === "do-error") return { error: cached.error };
    return undefined;
  }

  /** Calls `listener` after every change to an instance (status, a step's outcome); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #withoutPause(record: InstanceRecord): InstanceRecord {
    const { pausedAt: _pausedAt, ...rest } = record;
    return rest;
  }

  /** Starts the instance's run unless one is live. */
  #start(record: InstanceRecord): void {
    if (this.#disposed || this.#runs.has(record.id)) return;
    const run = new Run(record.id, this, this.#waits);
    this.#runs.set(record.id, run);
    const event: WorkflowEvent = {
      payload: deserialize(checkStoredValue("params", record.params)) as Readonly<unknown>,
      timestamp: new Date(record.createdAt),
      instanceId: record.id,
      workflowName: this.name,
    };
    const outcome = (async () => {
      await this.setStatus(run, "running");
      return this.#runner(event, new StepRunner(run));
    })();
    outcome
      .then(
        (output) => this.#finish(run, output),
        (error: unknown) => this.#fail(run, error),
      )
      // The backend failed (or closed with the runtime) while the end was stored: the next layer change or runtime runs it again.
      .catch(() => {});
  }

  async #finish(run: Run, output: unknown): Promise<void> {
    if (run.ended) return;
    let stored: unknown;
    try {
      stored = deserialize(checkStoredValue("The output of a Workflow instance", output));
    } catch (error) {
      return this.#fail(run, error);
    }
    const record = await this.#record(run.id);
    if (run.ended || record === undefined) return;
    this.#runs.delete(run.id);
    run.end();
    await this.#write({ ...this.#withoutPause(record), status: "complete", output: stored });
  }

  async #fail(run: Run, error: unknown): Promise<void> {
    if (run.ended || error instanceof RunEnded) return;
    const record = await this.#record(run.id);
    if (run.ended || record === undefined) return;
    this.#runs.delete(run.id);
    run.end();
    const shape = isNonRetryable(error)
      ? this.preserveNonRetryableMessage
        ? { name: "NonRetryableError", message: errorShape(error).message.replace(/^NonRetryableError:?\s*/, "") }
        : {
            name: "WorkflowFatalError",
            message: "The execution of the Workflow instance was terminated, as a step threw an NonRetryableError and it was not handled",
          }
      : errorShape(error);
    await this.#write({ ...this.#withoutPause(record), status: "errored", error: shape });
  }

  /** Ends the instance's run, if it has one: what it does from now on is not stored. */
  #end(id: string): void {
    this.#runs.get(id)?.end();
    this.#runs.delete(id);
  }

  #endAll(): void {
    for (const id of [...this.#runs.keys()]) this.#end(id);
  }

  async #resumeStored(): Promise<void> {
    if (this.#disposed) return;
    try {
      for (const [, bytes] of await this.#store.list(INSTANCES)) {
        const record = decode<InstanceRecord>(bytes);
        if (RUNNABLE.includes(record.status)) this.#start(record);
        else if (record.status === "waitingForPause") await this.#write({ ...record, status: "paused", pausedAt: this.#waits.now() });
      }
    } catch {
      // The backend failed: instances run again at the next layer change.
    }
  }

  pushLayer(): void {
    this.#data.pushLayer();
  }

  popLayer(): void {
    // Runs started or advanced in the layer stop; what the layers below hold runs again.
    this.#endAll();
    this.#data.popLayer();
    void this.#resumeStored();
  }

  async deleteAll(): Promise<void> {
    this.#endAll();
    await this.#data.deleteAll();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#endAll();
    this.#waits.dispose(new RunEnded("The runtime was disposed."));
    await this.#data.dispose();
  }
}
