/**
 * durabox's `cloudflare:workers` module: what `import { DurableObject } from
 * "cloudflare:workers"` gives worker code. Base classes store `ctx` and `env`
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

/** Marks a class whose instances travel over RPC by reference. */
class RpcTargetBase {}

interface WorkersModule {
  readonly DurableObject: typeof DurableObjectBase;
  readonly WorkerEntrypoint: typeof WorkerEntrypointBase;
  readonly RpcTarget: typeof RpcTargetBase;
}

const REGISTRY = Symbol.for("durabox.cloudflare-workers");
const realm = globalThis as { [REGISTRY]?: WorkersModule };
const shared: WorkersModule = (realm[REGISTRY] ??= {
  DurableObject: DurableObjectBase,
  WorkerEntrypoint: WorkerEntrypointBase,
  RpcTarget: RpcTargetBase,
});

export const DurableObject = shared.DurableObject;
export type DurableObject<Env = unknown> = DurableObjectBase<Env>;
export const WorkerEntrypoint = shared.WorkerEntrypoint;
export type WorkerEntrypoint<Env = unknown> = WorkerEntrypointBase<Env>;
export const RpcTarget = shared.RpcTarget;
export type RpcTarget = RpcTargetBase;

export function isRpcReceiver(object: unknown): boolean {
  return object instanceof DurableObject || object instanceof WorkerEntrypoint;
}
