import { DuraboxError } from "../base/errors.js";
import type { Isolation } from "../options.js";

export type { Isolation };

/** The scope operations the policy drives: a layer of storage (and evictions) per scope. */
export interface ScopedRuntime {
  readonly isolation: Isolation;
  enterScope(): void;
  exitScope(): Promise<void>;
}

export const CONCURRENT_TESTS_MESSAGE =
  "durabox: concurrent tests would share one Durable Objects runtime, so per-test isolation cannot hold. " +
  'Drop .concurrent, or set the option isolation: "file" (Jest: testEnvironmentOptions.isolation; Vitest: environmentOptions.durabox.isolation, or durabox({ isolation: "file" })).';

/**
 * When to roll back what: the one place the isolation rule lives. Both test
 * environments only translate their runner's events into these calls, for
 * the describe blocks and tests that run (a skipped, filtered-out or todo
 * one is not reported), each keyed by the runner's own object.
 *
 * Under `isolation: "test"` every describe block and every test is a scope:
 * what its hooks and body wrote is dropped when it ends, instances are
 * evicted and alarms rescheduled; a retried or repeated test starts again
 * from the state before it. Tests of one file must run one at a time.
 * Under `isolation: "file"` nothing happens between tests.
 */
export class IsolationPolicy {
  readonly #runtime: ScopedRuntime;
  /** Describe blocks whose scope was entered and not yet left. */
  readonly #suites = new Set<object>();
  /** Tests started and not yet ended whose scope was entered (keyed by the runner's test object). */
  readonly #running = new Set<object>();

  constructor(runtime: ScopedRuntime) {
    this.#runtime = runtime;
  }

  get #active(): boolean {
    return this.#runtime.isolation === "test";
  }

  suiteStarted(suite: object): void {
    if (!this.#active || this.#suites.has(suite)) return;
    this.#suites.add(suite);
    this.#runtime.enterScope();
  }

  /** A describe block ends: a test of it still open (one a runner never reported ended) ends first. */
  async suiteEnded(suite: object): Promise<void> {
    if (!this.#suites.delete(suite)) return;
    for (const test of [...this.#running]) await this.testEnded(test);
    await this.#runtime.exitScope();
  }

  /**
   * A test starts. Returns the error to fail it with when it cannot be
   * isolated (it runs concurrently with another); then no scope is entered.
   */
  testStarted(test: { readonly concurrent?: boolean | undefined }): DuraboxError | undefined {
    if (!this.#active) return undefined;
    if (this.#running.size > 0 || test.concurrent === true) return new DuraboxError("ERR_TEST_SETUP", CONCURRENT_TESTS_MESSAGE);
    this.#running.add(test);
    this.#runtime.enterScope();
    return undefined;
  }

  /** A test is tried again (retry or repeat): it starts from the state before its first try. */
  async testRetried(test: object): Promise<void> {
    if (!this.#running.has(test)) return;
    await this.#runtime.exitScope();
    this.#runtime.enterScope();
  }

  /** A test ends (a test never started, or already ended, is ignored). */
  async testEnded(test: object): Promise<void> {
    if (!this.#running.delete(test)) return;
    await this.#runtime.exitScope();
  }
}
