// `env.MY_WORKFLOW`: the Workflow binding (create, createBatch, get) and the instance handles
// it gives out, as workerd's workflows-api module shapes them over the Workflows engine.
import { realmShared } from "../../base/shared-state.js";
import type { WorkflowEngine } from "./engine.js";
import { workflowError } from "./errors.js";
import { checkInstanceId, MAX_BATCH } from "./limits.js";
import type { InstanceStatus, WorkflowInstanceCreateOptions } from "./types.js";

/**
 * Each binding's engine, for cloudflare:test's introspection. Per realm, not per module copy:
 * under Jest the test file's `cloudflare:test` is another copy of durabox than the runtime's.
 */
const engines = realmShared("workflowEngines", () => new WeakMap<object, { engine: WorkflowEngine; binding: string }>());

/** The engine behind a Workflow binding, or undefined for anything else. */
export function workflowEngineOf(value: unknown): { engine: WorkflowEngine; binding: string } | undefined {
  return typeof value === "object" && value !== null ? engines.get(value) : undefined;
}

export class WorkflowInstance {
  readonly id: string;
  readonly #engine: WorkflowEngine;

  constructor(engine: WorkflowEngine, id: string) {
    this.id = id;
    this.#engine = engine;
  }

  pause(): Promise<void> {
    return this.#engine.pause(this.id);
  }

  resume(): Promise<void> {
    return this.#engine.resume(this.id);
  }

  terminate(): Promise<void> {
    return this.#engine.terminate(this.id);
  }

  restart(): Promise<void> {
    return this.#engine.restart(this.id);
  }

  status(): Promise<InstanceStatus> {
    return this.#engine.statusOf(this.id);
  }

  sendEvent(event: { type: string; payload: unknown }): Promise<void> {
    return this.#engine.sendEvent(this.id, event);
  }
}

type BatchResult = { created: WorkflowInstance[]; errors: { index: number; id?: string; code: number; message: string }[] };

export class Workflow<Params = unknown> {
  readonly #engine: WorkflowEngine;

  constructor(engine: WorkflowEngine, binding: string) {
    this.#engine = engine;
    engines.set(this, { engine, binding });
  }

  /** A handle on instance `id`; rejects with instance.not_found when there is none. */
  async get(id: string): Promise<WorkflowInstance> {
    if (typeof id !== "string" || !(await this.#engine.exists(id))) throw new Error("instance.not_found");
    return new WorkflowInstance(this.#engine, id);
  }

  async create(options?: WorkflowInstanceCreateOptions<Params>): Promise<WorkflowInstance> {
    return new WorkflowInstance(this.#engine, await this.#engine.create(options ?? {}));
  }

  /** An array of options (the first form: the instances created), or `{ count, params }` / `{ instances }` (created and errors). */
  createBatch(batch: WorkflowInstanceCreateOptions<Params>[]): Promise<WorkflowInstance[]>;
  createBatch(options: { count: number; params?: Params } | { instances: WorkflowInstanceCreateOptions<Params>[] }): Promise<BatchResult>;
  async createBatch(options: unknown): Promise<WorkflowInstance[] | BatchResult> {
    if (Array.isArray(options)) {
      if (options.length === 0) throw new Error("WorkflowError: batchCreate should have at least 1 instance");
      if (options.length > MAX_BATCH) throw new Error(`WorkflowError: batchCreate only supports ${MAX_BATCH} instances at a time`);
      const { created } = await this.#engine.createBatch(options);
      return created.map((id) => new WorkflowInstance(this.#engine, id));
    }
    let batch: unknown[];
    if (typeof options === "object" && options !== null && "count" in options && options.count !== undefined) {
      const { count, params } = options as { count: unknown; params?: unknown };
      if (typeof count !== "number" || !Number.isInteger(count) || count <= 0)
        throw workflowError("body", "count must be a positive integer");
      if (count > MAX_BATCH) throw workflowError("body", `batchCreate only supports ${MAX_BATCH} instances at a time`);
      batch = Array.from({ length: count }, () => ({ params }));
    } else if (typeof options === "object" && options !== null && Array.isArray((options as { instances?: unknown }).instances)) {
      batch = (options as { instances: unknown[] }).instances;
    } else {
      throw workflowError("body", "Provided argument is invalid");
    }
    if (batch.length === 0 || batch.length > MAX_BATCH) throw workflowError("body", "Batch size exceeds maximum allowed");
    for (const entry of batch) {
      const id = (entry as { id?: unknown } | null)?.id;
      if (id === undefined) continue;
      try {
        checkInstanceId(id);
      } catch {
        throw workflowError("instance.invalid_id", "Instance ID is invalid");
      }
    }
    const { created, errors } = await this.#engine.createBatch(batch);
    return { created: created.map((id) => new WorkflowInstance(this.#engine, id)), errors };
  }
}
