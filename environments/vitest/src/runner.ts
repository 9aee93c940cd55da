import { createRequire } from "node:module";
import type { VitestTestRunner as RunnerClass } from "vitest/runners";
import { currentTestRuntime } from "durabox/testing-loader";

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
 * Whether Vitest goes on to run a suite or test whose before-hook it just
 * called. It calls that hook for skipped, todo and filtered-out tasks (`-t`,
 * `.only` elsewhere), for every task after `--bail` cancelled the run (the
 * base runner marks them skipped there) and for a suite that failed at
 * collection, and then returns without the after-hook.
 */
const willRun = (task: Suite | Task): boolean => (task.mode === "run" || task.mode === "queued") && task.result?.state !== "fail";

/**
 * The durabox() config helper's runner: Vitest's own, with its suite and
 * test events translated into the isolation policy's
 * (src/testing/isolation-policy.ts): a storage scope around every describe
 * block and every test that runs.
 */
export default class DuraboxRunner extends VitestTestRunner {
  /** The test last started: a test skipped from inside (`ctx.skip()`) ends without onAfterRunTask. */
  #open: Task | undefined;

  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    await super.onBeforeRunSuite(suite);
    await this.#endSkipped();
    if (willRun(suite)) currentTestRuntime().events.suiteStarted(suite);
  }

  override async onAfterRunSuite(suite: Suite): Promise<void> {
    await this.#endSkipped();
    await currentTestRuntime().events.suiteEnded(suite);
    await super.onAfterRunSuite(suite);
  }

  override async onBeforeRunTask(test: Task): Promise<void> {
    await super.onBeforeRunTask(test);
    await this.#endSkipped();
    if (!willRun(test)) return;
    const refused = currentTestRuntime().events.testStarted(test as Test);
    if (refused !== undefined) throw refused;
    this.#open = test;
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
    if (this.#open === test) this.#open = undefined;
    await currentTestRuntime().events.testEnded(test);
    super.onAfterRunTask(test);
  }

  /** Ends the scope of a test that was skipped from inside it: Vitest marks it skipped and calls no after-hook. */
  async #endSkipped(): Promise<void> {
    const open = this.#open;
    if (open === undefined || open.mode !== "skip") return;
    this.#open = undefined;
    await currentTestRuntime().events.testEnded(open);
  }
}
