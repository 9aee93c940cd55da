import { realmShared } from "../base/shared-state.js";

/**
 * The classes of the `cloudflare:workers` module (src/cloudflare-workers.ts
 * is the entry worker code imports). Base classes store `ctx` and `env`
 * as production's do; a class extending DurableObject is what makes its
 * public methods callable over RPC on stubs.
 *
 * The classes live in one registry per realm (a global symbol), so every copy
 * of this module (durabox's own, and the one a test runner's module system
 * loads for user code) hands out the same classes: `instanceof` and the RPC
 * check hold whichever copy a class extended.
 */
abstract class DurableObjectBase<Env = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

abstract class WorkerEntrypointBase<Env = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

/** A Workflow's class (`class X extends WorkflowEntrypoint`): its `run(event, step)` is what an instance runs. */
abstract class WorkflowEntrypointBase<Env = unknown, _Params = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

/** Marks a class whose instances travel over RPC by reference. */
class RpcTargetBase {}

interface WorkersModule {
  readonly DurableObject: typeof DurableObjectBase;
  readonly WorkerEntrypoint: typeof WorkerEntrypointBase;
  readonly WorkflowEntrypoint: typeof WorkflowEntrypointBase;
  readonly RpcTarget: typeof RpcTargetBase;
}

const shared = realmShared<WorkersModule>("cloudflare-workers", () => ({
  DurableObject: DurableObjectBase,
  WorkerEntrypoint: WorkerEntrypointBase,
  WorkflowEntrypoint: WorkflowEntrypointBase,
  RpcTarget: RpcTargetBase,
}));

export const DurableObject = shared.DurableObject;
export type DurableObject<Env = unknown> = DurableObjectBase<Env>;
export const WorkerEntrypoint = shared.WorkerEntrypoint;
export type WorkerEntrypoint<Env = unknown> = WorkerEntrypointBase<Env>;
export const WorkflowEntrypoint = shared.WorkflowEntrypoint;
export type WorkflowEntrypoint<Env = unknown, Params = unknown> = WorkflowEntrypointBase<Env, Params>;
export const RpcTarget = shared.RpcTarget;
export type RpcTarget = RpcTargetBase;

export function isRpcReceiver(object: unknown): boolean {
  return object instanceof DurableObject || object instanceof WorkerEntrypoint;
}
