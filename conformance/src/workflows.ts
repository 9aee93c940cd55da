// Workflows the conformance tests start: what each step does comes from the params.
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";

export type ProbeParams = { failures?: number; limit?: number; nonRetryable?: boolean; waitFor?: string; sleep?: string };

export class ProbeWorkflow extends WorkflowEntrypoint<unknown, ProbeParams> {
  async run(event: WorkflowEvent<ProbeParams>, step: WorkflowStep): Promise<unknown> {
    const { failures = 0, limit = 0, nonRetryable = false, waitFor, sleep } = event.payload;
    const first = await step.do("first", async () => ({ instanceId: event.instanceId, workflowName: event.workflowName }));
    if (sleep !== undefined) await step.sleep("nap", sleep as "1 second");
    const attempts = await step.do("flaky", { retries: { limit, delay: 0, backoff: "constant" } }, async (ctx) => {
      if (nonRetryable) throw new NonRetryableError("not this time");
      if (ctx.attempt <= failures) throw new RangeError(`attempt ${ctx.attempt} failed`);
      return ctx.attempt;
    });
    const event2 = waitFor === undefined ? undefined : await step.waitForEvent("signal", { type: waitFor, timeout: "1 minute" });
    return { ...first, attempts, payload: event2?.payload ?? null };
  }
}
