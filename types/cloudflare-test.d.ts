// The `cloudflare:test` module's types, as @cloudflare/vitest-plugin ships
// them: put "durabox/types/cloudflare-test" in compilerOptions.types where
// "@cloudflare/vitest-plugin/types" (or "@cloudflare/vitest-pool-workers") was.
// Type `env` as Cloudflare's docs do:
//   declare module "cloudflare:test" { interface ProvidedEnv extends Env {} }
// Like Cloudflare's, these name @cloudflare/workers-types' globals.
declare module "cloudflare:test" {
  export * from "durabox/cloudflare-test";
  // Declared here so that augmenting "cloudflare:test" types `env`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface ProvidedEnv {}
  /** The entry worker's bindings (Cloudflare now points to `env` from "cloudflare:workers"). */
  export const env: ProvidedEnv;
  /** The entry worker's default export (Cloudflare now points to `exports.default` from "cloudflare:workers"). */
  export const SELF: Fetcher;
  export function createExecutionContext(): ExecutionContext;
  export function waitOnExecutionContext(ctx: ExecutionContext | EventContext<Cloudflare.Env, string, unknown>): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: Date | number; cron?: string }): ScheduledController;
  export function createMessageBatch<Body = unknown>(
    queueName: string,
    messages: import("durabox/cloudflare-test").MessageBatchMessage<Body>[],
  ): MessageBatch<Body>;
  export function getQueueResult(batch: MessageBatch, ctx: ExecutionContext): Promise<import("durabox/cloudflare-test").QueueResult>;
  /** The admin API of a Secrets Store binding (`env.API_KEY`): creates the secrets `get()` reads. */
  export function adminSecretsStore(binding: { get(): Promise<string> }): import("durabox/cloudflare-test").SecretsStoreSecretAdmin;
  /** An introspector of one Workflow instance (it may not exist yet): `modify(m => ...)`, `waitForStatus`, `waitForStepResult`; dispose it (`await using`). */
  export function introspectWorkflowInstance(
    workflow: Workflow,
    instanceId: string,
  ): Promise<import("durabox/cloudflare-test").WorkflowInstanceIntrospector>;
  /** An introspector of the instances of a Workflow created from now on: `modifyAll(m => ...)`, `get()`; dispose it (`await using`). */
  export function introspectWorkflow(workflow: Workflow): Promise<import("durabox/cloudflare-test").WorkflowIntrospector>;
  // As the plugin declares it: `params` and `data` are required when the function's types name some.
  interface EventContextInitBase {
    request: Request<unknown, IncomingRequestCfProperties>;
    functionPath?: string;
    next?(request: Request): Response | Promise<Response>;
  }
  type EventContextInitParams<Params extends string> = [Params] extends [never]
    ? { params?: Record<string, never> }
    : { params: Record<Params, string | string[]> };
  type EventContextInitData<Data> = Data extends Record<string, never> ? { data?: Data } : { data: Data };
  type EventContextInit<E extends EventContext<unknown, string, unknown>> =
    E extends EventContext<unknown, infer Params, infer Data>
      ? EventContextInitBase & EventContextInitParams<Params> & EventContextInitData<Data>
      : never;
  /** An EventContext to call a Pages Function with (env must bind ASSETS). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the plugin's: PagesFunction's Data sits in a parameter, so unknown would refuse specific Data
  export function createPagesEventContext<F extends PagesFunction<Cloudflare.Env, string, any>>(
    init: EventContextInit<Parameters<F>[0]>,
  ): Parameters<F>[0];
}
