import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommandLine, type ServeArguments } from "../../src/cli/args.js";
import { normalizeOptions } from "../../src/options.js";
import { DuraboxError } from "../../src/index.js";

const errorOf = (fn: () => unknown): DuraboxError => {
  try {
    fn();
  } catch (error) {
    return error as DuraboxError;
  }
  throw new Error("expected an error");
};
const withConfig = (config: unknown) => {
  const dir = mkdtempSync(path.join(tmpdir(), "durabox-queues-config-"));
  writeFileSync(path.join(dir, "wrangler.json"), JSON.stringify(config));
  return () => normalizeOptions({ wranglerConfigPath: "wrangler.json" }, dir);
};

describe("queue options", () => {
  it("take queue names, a record of binding to queue, or { queueName, deliveryDelay }; the option over the config", () => {
    const [worker] = normalizeOptions({
      compatibilityDate: "2025-01-01",
      queueProducers: { JOBS: "jobs", LATER: { queueName: "jobs", deliveryDelay: 60 } },
    }).workers;
    expect(worker!.queueProducers).toEqual([
      { binding: "JOBS", queueName: "jobs", deliveryDelay: undefined, defaultContentType: "json" },
      { binding: "LATER", queueName: "jobs", deliveryDelay: 60, defaultContentType: "json" },
    ]);
    expect(normalizeOptions({ queueProducers: ["A"] }).workers[0]!.queueProducers[0]).toMatchObject({ binding: "A", queueName: "A" });
    expect(normalizeOptions({ queueConsumers: ["jobs"] }).workers[0]!.queueConsumers).toEqual([
      { queueName: "jobs", maxBatchSize: 10, maxBatchTimeout: 5, maxRetries: 3, deadLetterQueue: undefined, retryDelay: 0 },
    ]);
    expect((parseCommandLine(["--queue", "JOBS=jobs", "--queue", "OTHER"]) as ServeArguments).options.queueProducers).toEqual({
      JOBS: "jobs",
      OTHER: "OTHER",
    });
  });

  it("refuse settings outside production's ranges, naming the option and what is allowed", () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { queueConsumers: { jobs: { maxBatchSize: 101 } } },
        "queueConsumers.jobs.maxBatchSize must be a whole number of messages from 1 to 100, got 101.",
      ],
      [
        { queueConsumers: { jobs: { maxBatchTimeout: 61 } } },
        "queueConsumers.jobs.maxBatchTimeout must be a whole number of seconds from 0 to 60, got 61.",
      ],
      [
        { queueConsumers: { jobs: { maxRetries: -1 } } },
        "queueConsumers.jobs.maxRetries must be a whole number of retries from 0 to 100, got -1.",
      ],
      [
        { queueConsumers: { jobs: { retryDelay: 86_401 } } },
        "queueConsumers.jobs.retryDelay must be a whole number of seconds from 0 to 86400 (24 hours), got 86401.",
      ],
      [
        { queueConsumers: { jobs: { deadLetterQueue: "jobs" } } },
        'queueConsumers.jobs.deadLetterQueue names the queue itself ("jobs"): a dead-letter queue must be another queue.',
      ],
      [
        { queueProducers: { JOBS: { queueName: "jobs", deliveryDelay: -1 } } },
        "queueProducers.JOBS.deliveryDelay must be a whole number of seconds from 0 to 86400 (24 hours), got -1.",
      ],
    ];
    for (const [options, message] of cases) {
      const error = errorOf(() => normalizeOptions(options));
      expect(error.code).toBe("ERR_OPTIONS");
      expect(error.message).toBe(message);
    }
    expect(errorOf(() => normalizeOptions({ queueConsumers: { jobs: { maxBatch: 1 } as never } })).message).toMatch(
      /maxBatch.*maxBatchSize/s,
    );
  });

  it("refuse a queue two workers consume, and a producer whose name another binding has", () => {
    expect(
      errorOf(() =>
        normalizeOptions({
          workers: [
            { name: "a", script: "export default {}", queueConsumers: ["jobs"] },
            { name: "b", script: "export default {}", queueConsumers: ["jobs"] },
          ],
        }),
      ).message,
    ).toBe('Queue "jobs" has two consumers, workers "a" and "b": a queue has one consumer worker.');
    expect(errorOf(() => normalizeOptions({ kvNamespaces: ["X"], queueProducers: ["X"] })).message).toBe(
      '"X" is both a queue producer binding and a KV namespace binding: rename one.',
    );
  });

  it("read wrangler's queues section with errors naming the key and file", () => {
    expect(errorOf(withConfig({ queues: { producers: [{ binding: "JOBS" }] } })).message).toMatch(
      /wrangler\.json: "queues\.producers\[0\]" needs a binding and a queue, like \{ binding = "JOBS", queue = "jobs" \}\.$/,
    );
    expect(errorOf(withConfig({ queues: { consumers: [{ queue: "jobs", max_batch_size: 0 }] } })).message).toMatch(
      /"queues\.consumers\[0\]\.max_batch_size" must be a whole number of messages from 1 to 100, got 0\.$/,
    );
    expect(errorOf(withConfig({ queues: [] })).message).toMatch(/"queues" must be a table/);
  });
});
