// cloudflare:test's introspectWorkflowInstance and introspectWorkflow, with the plugin's names,
// shapes and messages: a test changes what an instance's steps do (`modify(m => ...)`) and waits
// for its steps and statuses; disposing the introspector drops its modifications and deletes
// the instance, as the plugin's does. Over the engine behind the binding (bindings/workflows).
import { workflowEngineOf } from "../bindings/workflows/binding.js";
import type { WorkflowEngine } from "../bindings/workflows/engine.js";
import type { InstanceModifications, StepSelector } from "../bindings/workflows/modifications.js";
import type { WorkflowInstanceStatus } from "../bindings/workflows/types.js";

/** What `modify(m => ...)` and `modifyAll(m => ...)` hand the callback. */
export interface WorkflowInstanceModifier {
  disableSleeps(steps?: StepSelector[]): Promise<void>;
  disableRetryDelays(steps?: StepSelector[]): Promise<void>;
  mockStepResult(step: StepSelector, stepResult: unknown): Promise<void>;
  mockStepError(step: StepSelector, error: Error, times?: number): Promise<void>;
  forceStepTimeout(step: StepSelector, times?: number): Promise<void>;
  mockEvent(event: { type: string; payload: unknown }): Promise<void>;
  forceEventTimeout(step: StepSelector): Promise<void>;
}

export interface WorkflowInstanceIntrospector {
  modify(fn: (m: WorkflowInstanceModifier) => Promise<void> | void): Promise<WorkflowInstanceIntrospector>;
  waitForStepResult(step: StepSelector): Promise<unknown>;
  waitForStatus(status: WorkflowInstanceStatus): Promise<void>;
  getOutput(): Promise<unknown>;
  getError(): Promise<{ name: string; message: string }>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface WorkflowIntrospector {
  modifyAll(fn: (m: WorkflowInstanceModifier) => Promise<void> | void): Promise<void>;
  get(): Promise<WorkflowInstanceIntrospector[]>;
  dispose(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const FINITE: readonly WorkflowInstanceStatus[] = ["complete", "errored", "terminated"];

/** A modifier over one instance's modifications (`modify`), or recording operations for instances to come (`modifyAll`). */
function modifier(apply: (operation: (m: InstanceModifications) => void) => void): WorkflowInstanceModifier {
  const op =
    <A extends unknown[]>(fn: (m: InstanceModifications, ...args: A) => void) =>
    async (...args: A): Promise<void> =>
      apply((m) => fn(m, ...args));
  return {
    disableSleeps: op((m, steps?: StepSelector[]) => m.disableSleeps(steps)),
    disableRetryDelays: op((m, steps?: StepSelector[]) => m.disableRetryDelays(steps)),
    mockStepResult: op((m, step: StepSelector, result: unknown) => m.mockStepResult(step, result)),
    mockStepError: op((m, step: StepSelector, error: Error, times?: number) => m.mockStepError(step, error, times)),
    forceStepTimeout: op((m, step: StepSelector, times?: number) => m.forceStepTimeout(step, times)),
    mockEvent: op((m, event: { type: string; payload: unknown }) => m.mockEvent(event)),
    forceEventTimeout: op((m, step: StepSelector) => m.forceEventTimeout(step)),
  };
}

/** Resolves when `check` answers (after any change to the engine's instances), or rejects when it throws. */
function whenChanged<T>(engine: WorkflowEngine, check: () => Promise<{ done: true; value: T } | undefined>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let checking = false;
    let again = false;
    const look = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const answer = await check();
          if (answer !== undefined) {
            stop();
            resolve(answer.value);
            return;
          }
        } while (again);
      } catch (error) {
        stop();
        reject(error as Error);
      } finally {
        checking = false;
      }
    };
    const stop = engine.onChange(() => void look());
    void look();
  });
}

function engineOf(workflow: unknown, fn: string): { engine: WorkflowEngine; binding: string } {
  const found = workflowEngineOf(workflow);
  if (found === undefined) {
    throw new Error(
      `[WorkflowIntrospector] \`${fn}()\` needs a Workflow binding from \`env\` (such as env.MY_WORKFLOW, declared in wrangler's workflows or the workflows option).`,
    );
  }
  return found;
}

class InstanceIntrospector implements WorkflowInstanceIntrospector {
  readonly #engine: WorkflowEngine;
  readonly instanceId: string;
  #disposed = false;

  constructor(engine: WorkflowEngine, instanceId: string) {
    this.#engine = engine;
    this.instanceId = instanceId;
  }

  async modify(fn: (m: WorkflowInstanceModifier) => Promise<void> | void): Promise<WorkflowInstanceIntrospector> {
    const modifications = this.#engine.modify(this.instanceId);
    await fn(modifier((operation) => operation(modifications)));
    return this;
  }

  waitForStepResult({ name, index }: StepSelector): Promise<unknown> {
    return whenChanged(this.#engine, async () => {
      const outcome = await this.#engine.stepOutcome(this.instanceId, name, index ?? 1);
      if (outcome === undefined) return undefined;
      if ("error" in outcome) throw Object.assign(new Error(outcome.error.message), { name: outcome.error.name });
      return { done: true, value: outcome.value };
    });
  }

  async waitForStatus(status: WorkflowInstanceStatus): Promise<void> {
    if (status === "queued") return;
    return whenChanged(this.#engine, async () => {
      const current = await this.#engine.status(this.instanceId);
      if (current === status) return { done: true, value: undefined };
      if (current !== undefined && FINITE.includes(current)) {
        throw new Error(
          `[WorkflowIntrospector] The Workflow instance ${this.instanceId} has reached status '${current}'. This is a finite status that prevents it from ever reaching the expected status of '${status}'.`,
        );
      }
      return undefined;
    });
  }

  async getOutput(): Promise<unknown> {
    const status = await this.#engine.statusOf(this.instanceId);
    if (status.status !== "complete") {
      throw new Error(
        `Cannot retrieve output: Workflow instance is in status "${status.status}" but must be "complete" to have an output available`,
      );
    }
    return status.output;
  }

  async getError(): Promise<{ name: string; message: string }> {
    const status = await this.#engine.statusOf(this.instanceId);
    if (status.status !== "errored") {
      throw new Error(
        `Cannot retrieve error: Workflow instance is in status "${status.status}" but must be "errored" to have error information available`,
      );
    }
    return status.error!;
  }

  /** Bound: `await using` may call it unbound. */
  dispose = async (): Promise<void> => {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#engine.discard(this.instanceId);
  };

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** One introspectWorkflow() session: every instance created while it lasts gets its recorded modifications. */
class Introspector implements WorkflowIntrospector {
  readonly #engine: WorkflowEngine;
  readonly #operations: ((m: InstanceModifications) => void)[] = [];
  readonly #instances = new Map<string, InstanceIntrospector>();
  #disposed = false;

  constructor(engine: WorkflowEngine, binding: string) {
    this.#engine = engine;
    if (engine.onCreate !== undefined) {
      throw new Error(
        `Workflow ${JSON.stringify(engine.name)} already has an active introspection session for binding ${JSON.stringify(binding)}.`,
      );
    }
    engine.onCreate = (id) => {
      this.#instances.set(id, new InstanceIntrospector(engine, id));
      const modifications = engine.modify(id);
      for (const operation of this.#operations) operation(modifications);
    };
  }

  async modifyAll(fn: (m: WorkflowInstanceModifier) => Promise<void> | void): Promise<void> {
    await fn(modifier((operation) => this.#operations.push(operation)));
  }

  async get(): Promise<WorkflowInstanceIntrospector[]> {
    return [...this.#instances.values()];
  }

  dispose = async (): Promise<void> => {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#engine.onCreate = undefined;
    await Promise.all([...this.#instances.values()].map((instance) => instance.dispose()));
    this.#instances.clear();
  };

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** An introspector of instance `instanceId` of `workflow` (env.MY_WORKFLOW), which may not exist yet. */
export async function introspectWorkflowInstance(workflow: unknown, instanceId: string): Promise<WorkflowInstanceIntrospector> {
  if (!workflow || !instanceId) throw new Error("[WorkflowIntrospector] Workflow binding and instance id are required.");
  return new InstanceIntrospector(engineOf(workflow, "introspectWorkflowInstance").engine, instanceId);
}

/** An introspector of the instances of `workflow` created from now on. */
export async function introspectWorkflow(workflow: unknown): Promise<WorkflowIntrospector> {
  if (!workflow) throw new Error("[WorkflowIntrospector] Workflow binding is required.");
  const { engine, binding } = engineOf(workflow, "introspectWorkflow");
  return new Introspector(engine, binding);
}
