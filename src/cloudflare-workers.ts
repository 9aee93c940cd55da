// The `cloudflare:workers` module as tests and worker code loaded by the
// test runner import it (the test environments alias the specifier here;
// worker code durabox bundles itself gets its own worker's module, see
// worker/workers-module.ts). Nothing in durabox imports this entry.
import { env as testEnv } from "./testing/helpers.js";
import { currentTestRuntime } from "./testing/registry.js";
import { onTestFileStart } from "./testing/file-starts.js";
import { workersModule } from "./worker/workers-module.js";

export { DurableObject, WorkerEntrypoint, WorkflowEntrypoint, RpcTarget, RpcStub } from "./rpc/workers-module.js";
export type { WorkflowEvent, WorkflowStep, WorkflowStepConfig, WorkflowSleepDuration } from "./bindings/workflows/types.js";
export { withEnv } from "./worker/workers-module.js";

/** The module's env and exports views: new ones for each test file a runner runs in this realm. */
const views = (): ReturnType<typeof workersModule> =>
  workersModule({
    // The test file's entry worker's bindings, live.
    env: () => testEnv,
    exports: () => currentTestRuntime().workerExports(),
    waitUntil: (promise) => currentTestRuntime().durabox.internals.objects.trackBackground(promise),
  });
const module = views();

/**
 * The entry worker's bindings (`withEnv(newEnv, fn)` overrides them for `fn`). A new object for
 * each test file, as a new isolate would have: a library's cache keyed by `env` starts empty.
 */
export let env: Record<string, unknown> = module.env;
let workerExports: Record<string, unknown> = module.exports;
onTestFileStart(() => {
  const next = views();
  env = next.env;
  workerExports = next.exports;
});
/** The entry worker's own exports as bindings: `exports.default.fetch(request)`, Durable Object namespaces by class. */
export { workerExports as exports };
/** Keeps the runtime alive for `promise` (the file's runtime waits for it before it is disposed). */
export const waitUntil: (promise: Promise<unknown>) => void = module.waitUntil;
