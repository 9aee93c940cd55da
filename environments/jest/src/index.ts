import type { Config, Circus } from "@jest/types";
import type { EnvironmentContext, JestEnvironmentConfig } from "@jest/environment";
import type { TestRuntime } from "durabox/testing-runtime";
import { saveCodeCache } from "durabox/testing-loader";
import { loadTestingInContext } from "./load-in-context.js";
import { splitOptions } from "./options.js";
import { usersNodeEnvironment } from "./node-environment.js";

const NodeEnvironment = usersNodeEnvironment();

/**
 * `testEnvironment: "durabox"`: Node's environment plus one Durable Objects
 * runtime per test file (created on first use), its helpers as globals, and
 * a storage scope around every describe block and test, rolled back (with
 * instances evicted and alarms rescheduled) when it ends.
 */
export default class DuraboxEnvironment extends NodeEnvironment {
  #runtime: TestRuntime | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    const { ours, rest } = splitOptions(config.projectConfig.testEnvironmentOptions as Record<string, unknown>);
    super({ ...config, projectConfig: { ...config.projectConfig, testEnvironmentOptions: rest } as Config.ProjectConfig }, context);
    // Here, not in setup(): Jest runs setupFiles (the preset's registers the module loader) before setup().
    const vmContext = this.getVmContext();
    if (vmContext === null) throw new Error("durabox: the test environment has no vm context.");
    const testing = loadTestingInContext(vmContext);
    const runtime = new testing.TestRuntime(ours, { cwd: config.projectConfig.rootDir, vmContext });
    this.#runtime = runtime;
    const global = this.global as unknown as Record<string, unknown>;
    testing.registerTestRuntime(global, runtime);
    // Isolation is automatic here; Miniflare 2 suites call this for `describe`.
    testing.installGlobals(global, { setupMiniflareIsolatedStorage: () => global.describe });
    // Made on first read: a file that makes no request or response wraps none of them.
    testing.installWebSocketGlobals(global, { lazy: true });
    // crypto.subtle.timingSafeEqual, crypto.DigestStream, MD5, scheduler.wait: test files have them as worker code does.
    testing.installWorkersGlobals(this.global, { lazy: true });
  }

  /** Translates circus events into the isolation policy's (src/testing/isolation-policy.ts). */
  async handleTestEvent(event: Circus.Event): Promise<void> {
    const events = this.#runtime?.events;
    if (events === undefined) return;
    switch (event.name) {
      case "run_describe_start":
        // A skipped block's tests are skipped, and its hooks do not run: a scope costs nothing there.
        events.suiteStarted(event.describeBlock);
        break;
      case "run_describe_finish":
        await events.suiteEnded(event.describeBlock);
        break;
      // Not test_start: circus dispatches that for skipped, filtered-out and todo tests too, with no test_done after.
      case "test_started": {
        const refused = events.testStarted(event.test);
        if (refused !== undefined) event.test.errors.push(refused as unknown as Circus.TestError);
        break;
      }
      case "test_retry":
        await events.testRetried(event.test);
        break;
      case "test_done":
        await events.testEnded(event.test);
        break;
      default:
        break;
    }
  }

  override async teardown(): Promise<void> {
    await this.#runtime?.dispose();
    this.#runtime = undefined;
    saveCodeCache();
    await super.teardown();
  }
}

export { DuraboxEnvironment as TestEnvironment };
