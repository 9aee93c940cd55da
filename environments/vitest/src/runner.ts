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
 * The durabox() config helper's runner: Vitest's own, with its suite and
 * test events translated into the isolation policy's
 * (src/testing/isolation-policy.ts): a storage scope around every describe
 * block and every test.
 */
export default class DuraboxRunner extends VitestTestRunner {
  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    await super.onBeforeRunSuite(suite);
    currentTestRuntime().events.suiteStarted();
  }

  override async onAfterRunSuite(suite: Suite): Promise<void> {
    await currentTestRuntime().events.suiteEnded();
    await super.onAfterRunSuite(suite);
  }

  override async onBeforeRunTask(test: Task): Promise<void> {
    await super.onBeforeRunTask(test);
    const refused = currentTestRuntime().events.testStarted(test as Test);
    if (refused !== undefined) throw refused;
  }

  override onBeforeTryTask(test: Task, options?: { retry: number; repeats: number }): void | Promise<void> {
    // A retry or repeat starts again from the state before the test.
    if (options !== undefined && (options.retry > 0 || options.repeats > 0)) {
      return currentTestRuntime()
        .events.testRetried(test)
        .then(() => super.onBeforeTryTask(test));
    }
    return super.onBeforeTryTask(test);
  }

  override async onAfterRunTask(test: Task): Promise<void> {
    await currentTestRuntime().events.testEnded(test);
    super.onAfterRunTask(test);
  }
}
