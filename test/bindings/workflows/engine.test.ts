import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Durabox, type DuraboxOptions } from "../../../src/index.js";

// Each workflow records what its steps ran on globalThis.calls (tests read it).
const script = `
  import { WorkflowEntrypoint } from "cloudflare:workers";
  import { NonRetryableError } from "cloudflare:workflows";
  const log = (entry) => (globalThis.calls ??= []).push(entry);

  export class Greeter extends WorkflowEntrypoint {
    async run(event, step) {
      const greeting = await step.do("greet", async () => { log("greet"); return "hello " + event.payload.name; });
      await step.sleep("nap", "10 seconds");
      const shout = await step.do("shout", async () => { log("shout"); return greeting.toUpperCase(); });
      return { shout, instanceId: event.instanceId, workflowName: event.workflowName };
    }
  }

  export class Flaky extends WorkflowEntrypoint {
    async run(event, step) {
      return step.do("flaky", { retries: { limit: 3, delay: "1 second", backoff: event.payload.backoff ?? "exponential" } }, async (ctx) => {
        log("attempt " + ctx.attempt + " at " + Date.now());
        if (ctx.attempt <= (event.payload.failures ?? 99)) throw new TypeError("flaked " + ctx.attempt);
        return "ok after " + ctx.attempt;
      });
    }
  }

  export class Fatal extends WorkflowEntrypoint {
    async run(event, step) {
      return step.do("fatal", async () => { log("fatal"); throw new NonRetryableError("stop now"); });
    }
  }

  export class Waiter extends WorkflowEntrypoint {
    async run(event, step) {
      const approval = await step.waitForEvent("approval", { type: "approve", timeout: "1 minute" });
      return approval.payload;
    }
  }

  export class Slow extends WorkflowEntrypoint {
    async run(event, step) {
      return step.do("slow", { retries: { limit: 0, delay: 0 }, timeout: "5 seconds" }, () => new Promise(() => {}));
    }
  }

  export class Busy extends WorkflowEntrypoint {
    async run(event, step) {
      await step.do("work", async () => { log("work"); await new Promise((resolve) => setTimeout(resolve, 5000)); return 1; });
      await step.do("after", async () => { log("after"); return 2; });
      return "done";
    }
  }

  export class Misused extends WorkflowEntrypoint {
    async run(event, step) {
      if (event.payload.use === "name") return step.do("x".repeat(257), async () => 1);
      if (event.payload.use === "config") return step.do("configured", { retries: { limit: 1, delay: 0, extra: true } }, async () => 1);
      if (event.payload.use === "past") return step.sleepUntil("back", new Date(0));
      return step.do("no callback", {});
    }
  }

  export default { fetch: () => new Response("ok") };`;

const calls = (): string[] => ((globalThis as { calls?: string[] }).calls ??= []);

const WORKFLOWS = {
  GREETER: { name: "greeter", className: "Greeter" },
  FLAKY: { name: "flaky", className: "Flaky" },
  FATAL: { name: "fatal", className: "Fatal" },
  WAITER: { name: "waiter", className: "Waiter" },
  SLOW: { name: "slow", className: "Slow" },
  BUSY: { name: "busy", className: "Busy" },
  MISUSED: { name: "misused", className: "Misused" },
};

interface Instance {
  id: string;
  status(): Promise<{ status: string; output?: unknown; error?: { name: string; message: string } }>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  terminate(): Promise<void>;
  restart(): Promise<void>;
  sendEvent(event: { type: string; payload: unknown }): Promise<void>;
}
interface WorkflowBinding {
  create(options?: { id?: string; params?: unknown }): Promise<Instance>;
  createBatch(options: unknown): Promise<unknown>;
  get(id: string): Promise<Instance>;
}

let mf: Durabox | undefined;
async function workflow(name: keyof typeof WORKFLOWS, extra: Partial<DuraboxOptions> = {}): Promise<WorkflowBinding> {
  mf = new Durabox({ script, compatibilityDate: "2026-11-01", workflows: WORKFLOWS, ...extra });
  return (await mf.getBindings<Record<string, WorkflowBinding>>())[name]!;
}

beforeEach(() => {
  delete (globalThis as { calls?: unknown }).calls;
  vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
});
afterEach(async () => {
  vi.useRealTimers();
  await mf?.dispose();
  mf = undefined;
});

describe("a Workflow instance", () => {
  it("runs its steps, sleeps on the fake clock, and completes with its output", async () => {
    const wf = await workflow("GREETER");
    const instance = await wf.create({ id: "first", params: { name: "ada" } });
    expect(instance.id).toBe("first");
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toEqual(["greet"]);
    expect((await instance.status()).status).toBe("waiting");
    await vi.advanceTimersByTimeAsync(9_999);
    expect(calls()).toEqual(["greet"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toEqual(["greet", "shout"]);
    expect(await instance.status()).toEqual({
      status: "complete",
      output: { shout: "HELLO ADA", instanceId: "first", workflowName: "greeter" },
    });
    expect((await wf.get("first")).id).toBe("first");
  });

  it("is not woken by setSystemTime alone: only an advance fires the sleep", async () => {
    const wf = await workflow("GREETER");
    const instance = await wf.create({ params: { name: "x" } });
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(new Date("2026-01-02T00:00:00Z"));
    await Promise.resolve();
    expect(calls()).toEqual(["greet"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls()).toEqual(["greet", "shout"]);
    expect((await instance.status()).status).toBe("complete");
  });

  it("retries a failing step with exponential backoff (1 s, 2 s, 4 s) and completes when an attempt succeeds", async () => {
    const wf = await workflow("FLAKY");
    const instance = await wf.create({ params: { failures: 3 } });
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(7_000);
    const start = Date.parse("2026-01-01T00:00:00Z");
    expect(calls()).toEqual([
      `attempt 1 at ${start}`,
      `attempt 2 at ${start + 1000}`,
      `attempt 3 at ${start + 3000}`,
      `attempt 4 at ${start + 7000}`,
    ]);
    expect(await instance.status()).toEqual({ status: "complete", output: "ok after 4" });
  });

  it("spaces retries linearly (1 s, 2 s, 3 s) and constantly (1 s each)", async () => {
    const wf = await workflow("FLAKY");
    await wf.create({ params: { failures: 3, backoff: "linear" } });
    await vi.advanceTimersByTimeAsync(6_000);
    const start = Date.parse("2026-01-01T00:00:00Z");
    expect(calls().map((c) => Number(c.split(" at ")[1]) - start)).toEqual([0, 1000, 3000, 6000]);
    delete (globalThis as { calls?: unknown }).calls;
    await wf.create({ params: { failures: 3, backoff: "constant" } });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls().map((c) => Number(c.split(" at ")[1]) - start - 6000)).toEqual([0, 1000, 2000, 3000]);
  });

  it("ends errored with the step's error when every attempt (limit + 1) throws", async () => {
    const wf = await workflow("FLAKY");
    const instance = await wf.create({ params: {} });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toHaveLength(4);
    expect(await instance.status()).toEqual({ status: "errored", error: { name: "TypeError", message: "flaked 4" } });
  });

  it("stops at a NonRetryableError: one attempt, and production's error for it (the message kept with the compatibility flag)", async () => {
    const wf = await workflow("FATAL");
    const instance = await wf.create();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toEqual(["fatal"]);
    expect(await instance.status()).toEqual({
      status: "errored",
      error: {
        name: "WorkflowFatalError",
        message: "The execution of the Workflow instance was terminated, as a step threw an NonRetryableError and it was not handled",
      },
    });
    await mf!.dispose();
    const preserving = await workflow("FATAL", { compatibilityFlags: ["workflows_preserve_non_retryable_error_message"] });
    const kept = await preserving.create();
    await vi.advanceTimersByTimeAsync(0);
    expect((await kept.status()).error).toEqual({ name: "NonRetryableError", message: "stop now" });
  });

  it("times a step out after its timeout", async () => {
    const wf = await workflow("SLOW");
    const instance = await wf.create();
    await vi.advanceTimersByTimeAsync(4_999);
    expect((await instance.status()).status).toBe("running");
    await vi.advanceTimersByTimeAsync(1);
    expect(await instance.status()).toEqual({
      status: "errored",
      error: { name: "WorkflowTimeoutError", message: "Execution timed out after 5000ms" },
    });
  });

  it("waits for an event sent to it, and times the wait out when none comes", async () => {
    const wf = await workflow("WAITER");
    const approved = await wf.create({ id: "approved" });
    const ignored = await wf.create({ id: "ignored" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await approved.status()).status).toBe("waiting");
    await approved.sendEvent({ type: "approve", payload: { by: "ada" } });
    await vi.advanceTimersByTimeAsync(0);
    expect(await approved.status()).toEqual({ status: "complete", output: { by: "ada" } });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(await ignored.status()).toEqual({
      status: "errored",
      error: { name: "WorkflowTimeoutError", message: "Execution timed out after 60000ms" },
    });
  });

  it("takes an event sent before the wait began", async () => {
    const wf = await workflow("WAITER");
    const instance = await wf.create();
    await instance.sendEvent({ type: "other", payload: 1 });
    await instance.sendEvent({ type: "approve", payload: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(await instance.status()).toEqual({ status: "complete", output: 2 });
  });
});

describe("pause, resume, terminate, restart", () => {
  it("pauses during a sleep and resumes with the sleep's time left, replaying the cached step", async () => {
    const wf = await workflow("GREETER");
    const instance = await wf.create({ params: { name: "b" } });
    await vi.advanceTimersByTimeAsync(4_000);
    await instance.pause();
    expect((await instance.status()).status).toBe("paused");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toEqual(["greet"]);
    await instance.resume();
    await vi.advanceTimersByTimeAsync(5_999);
    expect(calls()).toEqual(["greet"]);
    await vi.advanceTimersByTimeAsync(1);
    // "greet" was not called again: its result came from the cache.
    expect(calls()).toEqual(["greet", "shout"]);
    expect((await instance.status()).status).toBe("complete");
  });

  it("terminates a running instance, and refuses to terminate a finished one", async () => {
    const wf = await workflow("GREETER");
    const instance = await wf.create({ params: { name: "c" } });
    await vi.advanceTimersByTimeAsync(1_000);
    await instance.terminate();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toEqual(["greet"]);
    expect(await instance.status()).toEqual({ status: "terminated" });
    await expect(instance.terminate()).rejects.toThrow("(instance.cannot_terminate) Cannot terminate instance since its on a finite state");
  });

  it("restarts from the beginning, running every step again", async () => {
    const wf = await workflow("GREETER");
    const instance = await wf.create({ params: { name: "d" } });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await instance.status()).status).toBe("complete");
    await instance.restart();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls()).toEqual(["greet", "shout", "greet", "shout"]);
    expect((await instance.status()).status).toBe("complete");
  });
});

describe("a pause while a step runs", () => {
  it("waits for the step (waitingForPause), then pauses before the next; resume runs the rest without repeating it", async () => {
    const wf = await workflow("BUSY");
    const instance = await wf.create();
    await vi.advanceTimersByTimeAsync(1_000);
    await instance.pause();
    expect((await instance.status()).status).toBe("waitingForPause");
    await vi.advanceTimersByTimeAsync(4_000);
    expect((await instance.status()).status).toBe("paused");
    expect(calls()).toEqual(["work"]);
    await instance.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toEqual(["work", "after"]);
    expect(await instance.status()).toEqual({ status: "complete", output: "done" });
  });
});

describe("steps used wrongly", () => {
  it.each([
    [
      "name",
      { name: "WorkflowFatalError", message: `Step name "${"x".repeat(257)}" exceeds max length (256 chars) or invalid characters found` },
    ],
    [
      "config",
      {
        name: "WorkflowFatalError",
        message:
          'Step config for "configured" is in a invalid format. See https://developers.cloudflare.com/workflows/build/sleeping-and-retrying/',
      },
    ],
    ["past", { name: "Error", message: "You can't sleep until a time in the past, time-traveler" }],
    ["callback", { name: "WorkflowFatalError", message: 'Step "no callback" requires a callback function' }],
  ])("ends the instance errored with the engine's message: %s", async (use, error) => {
    const wf = await workflow("MISUSED");
    const instance = await wf.create({ params: { use } });
    await vi.advanceTimersByTimeAsync(0);
    expect(await instance.status()).toEqual({ status: "errored", error });
  });
});

describe("the binding's refusals", () => {
  it("refuses an invalid id, saying what an id may hold", async () => {
    const wf = await workflow("GREETER");
    await expect(wf.create({ id: "has space" })).rejects.toThrow(
      /^Workflow instance has invalid id: "has space" \(an id has 1 to 100 characters/,
    );
    await expect(wf.create({ id: "x".repeat(101) })).rejects.toThrow("Workflow instance has invalid id");
    await expect(wf.create({ id: "-dash" })).rejects.toThrow("Workflow instance has invalid id");
    await expect(wf.create({ id: "ok_id-1" })).resolves.toMatchObject({ id: "ok_id-1" });
  });

  it("refuses a duplicate id with production's message", async () => {
    const wf = await workflow("GREETER");
    await wf.create({ id: "same" });
    await expect(wf.create({ id: "same" })).rejects.toThrow('(instance.already_exists) Workflow instance with id "same" already exists');
  });

  it("refuses params over 1 MiB, and get() of an unknown id", async () => {
    const wf = await workflow("GREETER");
    await expect(wf.create({ params: { big: "x".repeat(1 << 20) } })).rejects.toThrow(/1 MiB/);
    await expect(wf.get("nobody")).rejects.toThrow("instance.not_found");
  });

  it("creates batches: the array form and the { instances } form with its errors", async () => {
    const wf = await workflow("GREETER");
    const created = (await wf.createBatch([{ id: "b1" }, { id: "b2" }])) as Instance[];
    expect(created.map((i) => i.id)).toEqual(["b1", "b2"]);
    const result = (await wf.createBatch({ instances: [{ id: "b1" }, { id: "b3" }, { id: "b3" }] })) as {
      created: Instance[];
      errors: unknown[];
    };
    expect(result.created.map((i) => i.id)).toEqual(["b3"]);
    expect(result.errors).toEqual([
      { index: 0, id: "b1", code: 10405, message: "workflows.api.error.instance.already_exists" },
      { index: 2, id: "b3", code: 10415, message: "workflows.api.error.instance.duplicate_in_batch" },
    ]);
    await expect(wf.createBatch([])).rejects.toThrow("batchCreate should have at least 1 instance");
  });

  it("fails at start when the bound class is not a WorkflowEntrypoint the worker exports", async () => {
    const wf = new Durabox({ script, workflows: { W: { name: "w", className: "Missing" } } });
    await expect(wf.ready).rejects.toThrow(
      /does not export a class named "Missing"\. Its Workflow classes: Greeter, Flaky, Fatal, Waiter, Slow, Busy, Misused\./,
    );
    await wf.dispose();
  });
});
