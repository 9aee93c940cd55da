import { describe, expect, it } from "vitest";
import { IsolationPolicy, type Isolation } from "../../src/testing/isolation-policy.js";

/** A runtime that records the scope calls the policy makes. */
function recorder(isolation: Isolation): { policy: IsolationPolicy; calls: string[] } {
  const calls: string[] = [];
  const policy = new IsolationPolicy({
    isolation,
    enterScope: () => void calls.push("enter"),
    exitScope: async () => void calls.push("exit"),
  });
  return { policy, calls };
}

describe("the isolation policy", () => {
  it('under "test", scopes every describe block and every test, nested', async () => {
    const { policy, calls } = recorder("test");
    const [suite, test] = [{}, {}];
    policy.suiteStarted(suite);
    expect(policy.testStarted(test)).toBeUndefined();
    await policy.testEnded(test);
    await policy.suiteEnded(suite);
    expect(calls).toEqual(["enter", "enter", "exit", "exit"]);
  });

  it('under "file", does nothing between tests', async () => {
    const { policy, calls } = recorder("file");
    const [suite, test] = [{}, { concurrent: true }];
    policy.suiteStarted(suite);
    expect(policy.testStarted(test)).toBeUndefined();
    await policy.testRetried(test);
    await policy.testEnded(test);
    await policy.suiteEnded(suite);
    expect(calls).toEqual([]);
  });

  it("starts a retried test from the state before its first try", async () => {
    const { policy, calls } = recorder("test");
    const test = {};
    policy.testStarted(test);
    await policy.testRetried(test);
    await policy.testEnded(test);
    expect(calls).toEqual(["enter", "exit", "enter", "exit"]);
  });

  it("refuses a concurrent test, and a test started while another runs, entering no scope for it", async () => {
    const { policy, calls } = recorder("test");
    const concurrent = policy.testStarted({ concurrent: true });
    expect(concurrent).toMatchObject({ code: "ERR_TEST_SETUP", message: expect.stringContaining('isolation: "file"') });
    const first = {};
    const second = {};
    expect(policy.testStarted(first)).toBeUndefined();
    expect(policy.testStarted(second)?.message).toContain("concurrent tests would share one Durable Objects runtime");
    // The refused test ending does not end the running test's scope.
    await policy.testEnded(second);
    expect(calls).toEqual(["enter"]);
    await policy.testEnded(first);
    expect(calls).toEqual(["enter", "exit"]);
  });

  it("ends only what it started: a block or test ended twice, or never started, changes nothing", async () => {
    const { policy, calls } = recorder("test");
    const [suite, test] = [{}, {}];
    await policy.suiteEnded(suite);
    await policy.testEnded(test);
    policy.suiteStarted(suite);
    policy.suiteStarted(suite);
    await policy.suiteEnded(suite);
    await policy.suiteEnded(suite);
    expect(calls).toEqual(["enter", "exit"]);
  });

  it("ends a block's open test with the block: a runner that never said it ended (skipped from inside)", async () => {
    const { policy, calls } = recorder("test");
    const [suite, test] = [{}, {}];
    policy.suiteStarted(suite);
    policy.testStarted(test);
    await policy.suiteEnded(suite);
    await policy.testEnded(test);
    expect(calls).toEqual(["enter", "enter", "exit", "exit"]);
  });
});
