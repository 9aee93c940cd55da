/**
 * durabox's `cloudflare:workers` module: what `import { DurableObject } from
 * "cloudflare:workers"` gives worker code. Base classes store `ctx` and `env`
 * as production's do; a class extending DurableObject is what makes its
 * public methods callable over RPC on stubs.
 */
export abstract class DurableObject<Env = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

export abstract class WorkerEntrypoint<Env = unknown> {
  protected ctx: unknown;
  protected env: Env;
  constructor(ctx: unknown, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

/** Marks a class whose instances travel over RPC by reference. */
export class RpcTarget {}

export function isRpcReceiver(object: unknown): boolean {
  return object instanceof DurableObject || object instanceof WorkerEntrypoint;
}
