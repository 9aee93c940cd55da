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
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: Date | number; cron?: string }): ScheduledController;
  export function createMessageBatch<Body = unknown>(
    queueName: string,
    messages: import("durabox/cloudflare-test").MessageBatchMessage<Body>[],
  ): MessageBatch<Body>;
  export function getQueueResult(batch: MessageBatch, ctx: ExecutionContext): Promise<import("durabox/cloudflare-test").QueueResult>;
}
