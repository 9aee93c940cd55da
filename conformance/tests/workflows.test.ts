// Workflows: a Workflow bound in wrangler.jsonc, started from a test; its steps, retries,
// events and ends, and the binding's messages for bad and duplicate ids. Outcomes are awaited
// through cloudflare:test's introspector, as the plugin's docs do.
import { env } from "cloudflare:workers";
import { introspectWorkflowInstance } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { rejection, unique } from "./helpers";

const id = (): string => unique("wf").replace(/-/g, "_").slice(0, 60);

async function finished(params: Record<string, unknown>, status: "complete" | "errored", send?: { type: string; payload: unknown }) {
  const instanceId = id();
  const introspector = await introspectWorkflowInstance(env.PROBE_WORKFLOW, instanceId);
  try {
    await introspector.modify(async (m) => {
      await m.disableSleeps();
    });
    const instance = await env.PROBE_WORKFLOW.create({ id: instanceId, params });
    if (send !== undefined) await instance.sendEvent(send);
    await introspector.waitForStatus(status);
    const { status: reached, output, error } = await instance.status();
    return { id: instanceId, status: reached, output, error };
  } finally {
    await introspector.dispose();
  }
}

describe("workflows", () => {
  it("runs its steps to complete, with the event's instanceId and workflowName", async () => {
    const result = await finished({}, "complete");
    expect(result).toMatchObject({
      status: "complete",
      output: { instanceId: result.id, workflowName: "probe-workflow", attempts: 1, payload: null },
    });
  });

  it("retries a failing step up to its limit and completes when an attempt succeeds", async () => {
    expect(await finished({ failures: 2, limit: 2 }, "complete")).toMatchObject({ status: "complete", output: { attempts: 3 } });
  });

  it("ends errored with the step's error once every attempt failed", async () => {
    expect(await finished({ failures: 9, limit: 1 }, "errored")).toMatchObject({
      status: "errored",
      error: { name: "RangeError", message: "attempt 2 failed" },
    });
  });

  it("ends errored on a NonRetryableError, with production's message for it", async () => {
    expect(await finished({ nonRetryable: true, limit: 5 }, "errored")).toMatchObject({
      status: "errored",
      error: {
        name: "WorkflowFatalError",
        message: "The execution of the Workflow instance was terminated, as a step threw an NonRetryableError and it was not handled",
      },
    });
  });

  it("delivers an event sent to it to its waitForEvent", async () => {
    expect(await finished({ waitFor: "go" }, "complete", { type: "go", payload: { n: 1 } })).toMatchObject({
      output: { payload: { n: 1 } },
    });
  });

  it("refuses an invalid id and a duplicate id", async () => {
    const invalid = await rejection(env.PROBE_WORKFLOW.create({ id: "has space" }));
    expect(invalid?.message).toContain("Workflow instance has invalid id");
    const long = await rejection(env.PROBE_WORKFLOW.create({ id: "x".repeat(101) }));
    expect(long?.message).toContain("Workflow instance has invalid id");
    const instanceId = id();
    const introspector = await introspectWorkflowInstance(env.PROBE_WORKFLOW, instanceId);
    try {
      await env.PROBE_WORKFLOW.create({ id: instanceId });
      const duplicate = await rejection(env.PROBE_WORKFLOW.create({ id: instanceId }));
      expect(duplicate?.message).toContain(`Workflow instance with id "${instanceId}" already exists`);
      await introspector.waitForStatus("complete");
      const finishedOne = await env.PROBE_WORKFLOW.get(instanceId);
      const terminate = await rejection(finishedOne.terminate());
      expect(terminate?.message).toContain("Cannot terminate instance since its on a finite state");
    } finally {
      await introspector.dispose();
    }
  });

  it("rejects get() of an id that has no instance", async () => {
    const missing = await rejection(env.PROBE_WORKFLOW.get(id()));
    expect(missing?.message).toContain("instance.not_found");
  });
});
