import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Durabox } from "../../../src/index.js";
import { introspectWorkflow, introspectWorkflowInstance } from "../../../src/testing/workflow-introspection.js";

const script = `
  import { WorkflowEntrypoint } from "cloudflare:workers";
  const log = (entry) => (globalThis.calls ??= []).push(entry);
  export class Order extends WorkflowEntrypoint {
    async run(event, step) {
      const price = await step.do("price", { retries: { limit: 3, delay: "10 seconds" } }, async () => { log("price"); return 10; });
      await step.sleep("cool-off", "1 day");
      const approval = await step.waitForEvent("approval", { type: "approved", timeout: "1 hour" });
      const charged = await step.do("charge", async () => { log("charge"); return price * 2; });
      return { charged, by: approval.payload.by };
    }
  }
  export default { fetch: () => new Response("ok") };`;

const calls = (): string[] => ((globalThis as { calls?: string[] }).calls ??= []);
type Wf = {
  create(options?: { id?: string }): Promise<{ id: string; status(): Promise<{ status: string }> }>;
  get(id: string): Promise<unknown>;
};

let mf: Durabox;
let ORDER: Wf;
beforeEach(async () => {
  delete (globalThis as { calls?: unknown }).calls;
  vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
  mf = new Durabox({ script, workflows: { ORDER: { name: "order", className: "Order" } } });
  ORDER = (await mf.getBindings<{ ORDER: Wf }>()).ORDER;
});
afterEach(async () => {
  vi.useRealTimers();
  await mf.dispose();
});

describe("introspectWorkflowInstance", () => {
  it("disables sleeps, mocks a step's result and an event, and waits for the status and output", async () => {
    await using instance = await introspectWorkflowInstance(ORDER, "o1");
    await instance.modify(async (m) => {
      await m.disableSleeps();
      await m.mockStepResult({ name: "charge" }, 99);
      await m.mockEvent({ type: "approved", payload: { by: "ada" } });
    });
    await ORDER.create({ id: "o1" });
    await vi.advanceTimersByTimeAsync(0);
    await instance.waitForStatus("complete");
    expect(await instance.getOutput()).toEqual({ charged: 99, by: "ada" });
    expect(await instance.waitForStepResult({ name: "price" })).toBe(10);
    expect(calls()).toEqual(["price"]);
    await expect(instance.getError()).rejects.toThrow(
      'Cannot retrieve error: Workflow instance is in status "complete" but must be "errored" to have error information available',
    );
  });

  it("mocks a step's error for some attempts (retried after its delay) and forces an event wait's timeout", async () => {
    const instance = await introspectWorkflowInstance(ORDER, "o2");
    await instance.modify(async (m) => {
      await m.mockStepError({ name: "price" }, new Error("price service down"), 2);
      await m.disableSleeps([{ name: "cool-off" }]);
      await m.forceEventTimeout({ name: "approval" });
    });
    await ORDER.create({ id: "o2" });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(calls()).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_001);
    expect(await instance.waitForStepResult({ name: "price" })).toBe(10);
    expect(calls()).toEqual(["price"]);
    await instance.waitForStatus("errored");
    expect(await instance.getError()).toEqual({ name: "WorkflowTimeoutError", message: "Execution timed out after 3600000ms" });
    await expect(instance.waitForStatus("complete")).rejects.toThrow(
      "[WorkflowIntrospector] The Workflow instance o2 has reached status 'errored'. This is a finite status that prevents it from ever reaching the expected status of 'complete'.",
    );
    await instance.dispose();
    // Disposing deletes the instance, as the plugin's dispose does.
    await expect(ORDER.get("o2")).rejects.toThrow("instance.not_found");
  });

  it("rejects waitForStepResult with the step's error, and refuses mocking a result twice", async () => {
    await using instance = await introspectWorkflowInstance(ORDER, "o3");
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await m.forceStepTimeout({ name: "price" });
      await m.mockStepResult({ name: "charge" }, 1);
      await expect(m.mockStepResult({ name: "charge" }, 2)).rejects.toThrow(
        "[WorkflowIntrospector] Trying to mock step 'charge' multiple times!",
      );
    });
    await ORDER.create({ id: "o3" });
    await vi.advanceTimersByTimeAsync(0);
    await expect(instance.waitForStepResult({ name: "price" })).rejects.toThrow("Execution timed out after 0ms");
    await instance.waitForStatus("errored");
  });

  it("refuses what is not a Workflow binding", async () => {
    await expect(introspectWorkflowInstance({}, "x")).rejects.toThrow("needs a Workflow binding from `env`");
    await expect(introspectWorkflowInstance(ORDER, "")).rejects.toThrow(
      "[WorkflowIntrospector] Workflow binding and instance id are required.",
    );
  });
});

describe("introspectWorkflow", () => {
  it("applies modifyAll to every instance created after it, lists them, and disposes them all", async () => {
    const before = await ORDER.create({ id: "before" });
    await using introspector = await introspectWorkflow(ORDER);
    await introspector.modifyAll(async (m) => {
      await m.disableSleeps();
      await m.mockEvent({ type: "approved", payload: { by: "bot" } });
    });
    await ORDER.create({ id: "a" });
    await ORDER.create({ id: "b" });
    await vi.advanceTimersByTimeAsync(0);
    const instances = await introspector.get();
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      await instance.waitForStatus("complete");
      expect(await instance.getOutput()).toEqual({ charged: 20, by: "bot" });
    }
    expect((await before.status()).status).toBe("waiting");
    await expect(introspectWorkflow(ORDER)).rejects.toThrow(
      'Workflow "order" already has an active introspection session for binding "ORDER".',
    );
    await introspector.dispose();
    await expect(ORDER.get("a")).rejects.toThrow("instance.not_found");
    // A new session may start once the last is disposed.
    await (await introspectWorkflow(ORDER)).dispose();
  });
});
