import { createRequire } from "node:module";
import type { VitestTestRunner as RunnerClass } from "vitest/runners";
import { currentTestRuntime } from "durabox/testing-runtime";

// Vitest 4.1 exports its runner from "vitest" (and deprecates "vitest/runners");
// before that only "vitest/runners" has it (and importing "vitest" here is too early).
const [major = 0, minor = 0] = (createRequire(import.meta.url)("vitest/package.json") as { version: string }).version
  .split(".")
  .map(Number);
const VitestTestRunner: typeof RunnerClass =
  major > 4 || (major === 4 && minor >= 1)
    ? ((await import("vitest")) as unknown as { TestRunner: typeof RunnerClass }).TestRunner
    : ((await import("vitest/runners")) as { VitestTestRunner: typeof RunnerClass }).VitestTestRunner;
// The runner's own parameter types: they are not exported under stable names across Vitest majors.
type Suite = Parameters<RunnerClass["onBeforeRunSuite"]>[0];
type Task = Parameters<RunnerClass["onBeforeRunTask"]>[0];
type Test = Parameters<RunnerClass["onAfterTryTask"]>[0];

/**
 * The durabox() config helper's runner: Vitest's own, plus a storage scope
 * around every describe block (so what its beforeAll wrote is gone after it)
 * and every test (so each test starts from what its describe blocks set up;
 * instances are evicted and alarms rescheduled as each scope ends).
 */
export default class DuraboxRunner extends VitestTestRunner {
  #running = 0;

  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    await super.onBeforeRunSuite(suite);
    const runtime = currentTestRuntime();
    if (runtime.isolation === "test") runtime.enterScope();
  }

  override async onAfterRunSuite(suite: Suite): Promise<void> {
    const runtime = currentTestRuntime();
    if (runtime.isolation === "test") await runtime.exitScope();
    await super.onAfterRunSuite(suite);
  }

  override async onBeforeRunTask(test: Task): Promise<void> {
    await super.onBeforeRunTask(test);
    const runtime = currentTestRuntime();
    if (runtime.isolation === "test") {
      if (this.#running > 0 || (test as Test).concurrent) {
        throw new Error(
          "durabox: concurrent tests would share one Durable Objects runtime, so per-test isolation cannot hold. " +
            'Run this file with isolation: "file" (environmentOptions.durabox.isolation), or drop .concurrent.',
        );
      }
      this.#running++;
      runtime.enterScope();
    }
  }

  override onBeforeTryTask(test: Task, options?: { retry: number; repeats: number }): void | Promise<void> {
    const runtime = currentTestRuntime();
    // A retry or repeat starts again from the state before the test.
    if (runtime.isolation === "test" && options !== undefined && (options.retry > 0 || options.repeats > 0)) {
      return runtime.exitScope().then(() => {
        runtime.enterScope();
        return super.onBeforeTryTask(test);
      });
    }
    return super.onBeforeTryTask(test);
  }

  override async onAfterRunTask(test: Task): Promise<void> {
    const runtime = currentTestRuntime();
    if (runtime.isolation === "test" && this.#running > 0) {
      this.#running--;
      await runtime.exitScope();
    }
    super.onAfterRunTask(test);
  }
}
